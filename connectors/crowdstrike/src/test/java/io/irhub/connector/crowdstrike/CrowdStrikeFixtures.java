package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;

/** Deliveries, configurations and a settable clock for the tests, made from {@code src/test/resources/crowdstrike/}. */
final class CrowdStrikeFixtures {
    static final String WEBHOOK_SECRET = "fusion-webhook-9c2e41f7b3a85d06e1c7";
    static final String CLIENT_SECRET = "falcon-api-secret-5f1a9e3c7b2d8046aa";
    static final String CLIENT_ID = "3d6c1f9a0b7e4c2d8a5f6e1b9c0d7a3e";
    static final Map<String, String> ENVIRONMENT =
            Map.of("FALCON_WEBHOOK_SECRET", WEBHOOK_SECRET, "FALCON_CLIENT_SECRET", CLIENT_SECRET);

    static final String ALERT = "alert-v2.json";
    static final String ENTITIES = "alerts-entities-response.json";
    static final String QUERY = "alerts-query-response.json";
    static final String TOKEN = "token.json";
    static final String EPP_EVENT = "epp-detection-summary-event.json";
    static final String LEGACY_EVENT = "legacy-detection-summary-event.json";
    static final String FUSION = "fusion-webhook.json";

    static final String ALERT_ID =
            "7e1c4b2a9d8f4e3c8b6a5d4c3b2a1f0e:ind:3a9f8c2d5e6b4f7a8c1d2e3f4a5b6c7d:412388134512-10305-7711232";
    static final String IDP_ALERT_ID =
            "7e1c4b2a9d8f4e3c8b6a5d4c3b2a1f0e:ind:7e1c4b2a9d8f4e3c8b6a5d4c3b2a1f0e:8D3A1F52-6C4B-4E2A-9F1D-0B7C3E5A9D21";
    static final String SCAN_ALERT_ID =
            "7e1c4b2a9d8f4e3c8b6a5d4c3b2a1f0e:ods:5b2e7d1c9a8f4e6b8d3c2a1f0e9d8c7b:c41f7a2e9b3d4c5e8f1a0b9c8d7e6f5a";
    static final String JDOE_SID = "S-1-5-21-3623811015-3361044348-30300820-1013";

    static final ObjectMapper JSON = new ObjectMapper();

    private CrowdStrikeFixtures() {
    }

    static String read(String fixture) {
        try (InputStream in = CrowdStrikeFixtures.class.getResourceAsStream("/crowdstrike/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture crowdstrike/" + fixture);
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

    /** An Event Streams fixture with its {@code event} changed. */
    static String withEvent(String fixture, Consumer<ObjectNode> change) {
        return edited(fixture, root -> change.accept((ObjectNode) root.get("event")));
    }

    static InboundRequest bearer(String token, String body) {
        return new InboundRequest(null, Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static InboundRequest signed(String key, long epochSecond, String body) {
        return signed(key, Long.toString(epochSecond), body.getBytes(StandardCharsets.UTF_8));
    }

    static InboundRequest signed(String key, String timestamp, byte[] body) {
        return new InboundRequest(null, Map.of("Content-Type", "application/json",
                "X-Irhub-Timestamp", timestamp, "X-Irhub-Signature", hmacHex(key, timestamp, body)), body);
    }

    static String hmacHex(String key, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The webhook secret reference plus {@code overrides}, parsed and read as the connector does. */
    static CrowdStrikeConfig config(Map<String, Object> overrides) {
        Map<String, Object> raw = new HashMap<>();
        raw.put(CrowdStrikeConfig.WEBHOOK_SECRET, "${env:FALCON_WEBHOOK_SECRET}");
        raw.putAll(overrides);
        return CrowdStrikeConfig.from(CrowdStrikeConfig.definition()
                .parse("sources.falcon", raw, SecretResolver.of(ENVIRONMENT)));
    }

    /** A polling configuration against {@code baseUrl}, plus {@code overrides}. */
    static CrowdStrikeConfig pollConfig(String baseUrl, Map<String, Object> overrides) {
        Map<String, Object> raw = new HashMap<>();
        raw.put(CrowdStrikeConfig.POLL, "true");
        raw.put(CrowdStrikeConfig.BASE_URL, baseUrl);
        raw.put(CrowdStrikeConfig.CLIENT_ID, CLIENT_ID);
        raw.put(CrowdStrikeConfig.CLIENT_SECRET, "${env:FALCON_CLIENT_SECRET}");
        raw.putAll(overrides);
        return config(raw);
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
