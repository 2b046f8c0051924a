package io.irhub.connector.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;

/** Deliveries, configurations and Graph answers made from the JSON fixtures in {@code src/test/resources/sentinel/}. */
final class SentinelFixtures {
    static final String BEARER_TOKEN = "sntl-bearer-7d41c9e2a05b4f6e8c13";
    static final String HMAC_SECRET = "sntl-hmac-key-3b8e0f61d2c94a75";
    static final String CLIENT_SECRET = "Qx8~sntl.client-secret_5f2a9c71e4";
    static final Map<String, String> ENVIRONMENT = Map.of(
            "SENTINEL_BEARER_TOKEN", BEARER_TOKEN,
            "SENTINEL_HMAC_SECRET", HMAC_SECRET,
            "SENTINEL_CLIENT_SECRET", CLIENT_SECRET);

    static final String INCIDENT_CREATE = "incident-create.json";
    static final String INCIDENT_UPDATE = "incident-update.json";
    static final String INCIDENT_ID = "7f3e9a21-5c4b-4d8e-a0f6-93b1c2d4e5f7";

    static final String TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String CLIENT_ID = "c0ffee00-1d2e-4f3a-8b9c-0d1e2f3a4b5c";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SentinelFixtures() {
    }

    static String read(String fixture) {
        try (InputStream in = SentinelFixtures.class.getResourceAsStream("/sentinel/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture sentinel/" + fixture);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with its top-level object changed, re-serialized. */
    static String edited(String fixture, Consumer<ObjectNode> change) {
        ObjectNode root = (ObjectNode) tree(read(fixture));
        change.accept(root);
        return root.toString();
    }

    /** The fixture with the incident's {@code object.properties} changed. */
    static String withProperties(String fixture, Consumer<ObjectNode> change) {
        return edited(fixture, root -> change.accept((ObjectNode) root.get("object").get("properties")));
    }

    static InboundRequest bearerDelivery(String token, String body) {
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json",
                "User-Agent", "azure-logic-apps/1.0"));
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return new InboundRequest(null, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A delivery signed as the README tells the Logic App to: hex HMAC-SHA256 of the exact body bytes. */
    static InboundRequest signedDelivery(String key, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new InboundRequest(null, Map.of("Content-Type", "application/json",
                "X-Irhub-Signature", HexFormat.of().formatHex(SentinelSource.hmac(key, bytes))), bytes);
    }

    static Map<String, Object> bearerConfig() {
        return Map.of("auth", "bearer", "bearer-token", "${env:SENTINEL_BEARER_TOKEN}");
    }

    static Map<String, Object> hmacConfig() {
        return Map.of("auth", "hmac", "hmac-secret", "${env:SENTINEL_HMAC_SECRET}");
    }

    /** Bearer push plus polling against {@code baseUrl} for both Entra ID and Graph. */
    static Map<String, Object> pollConfig(String baseUrl) {
        Map<String, Object> raw = new HashMap<>(bearerConfig());
        raw.put("poll", "true");
        raw.put("tenant-id", TENANT_ID);
        raw.put("client-id", CLIENT_ID);
        raw.put("client-secret", "${env:SENTINEL_CLIENT_SECRET}");
        raw.put("graph-base-url", baseUrl);
        raw.put("login-base-url", baseUrl);
        return raw;
    }

    static ConnectorConfig parse(Map<String, Object> raw) {
        return new SentinelConnector().configDef().parse("sources.sentinel-prod", raw, SecretResolver.of(ENVIRONMENT));
    }

    static SentinelConfig config(Map<String, Object> raw) {
        return SentinelConfig.from(parse(raw));
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
