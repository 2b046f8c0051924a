package io.irhub.connector.splunk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Deliveries made from the JSON fixtures in {@code src/test/resources/splunk/}. */
final class SplunkFixtures {
    static final String TOKEN = "9f3c1e7a-splunk-path-token-5b2d8c4e0a6f";
    static final Map<String, String> ENVIRONMENT = Map.of("SPLUNK_TOKEN", TOKEN);
    static final String COMPROMISED_USER = "alert-compromised-user.json";
    static final String SERVICE_ACCOUNT = "alert-service-account-token-use.json";
    static final String DOCS_EXAMPLE = "docs-example.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SplunkFixtures() {
    }

    static String read(String fixture) {
        try (InputStream in = SplunkFixtures.class.getResourceAsStream("/splunk/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with its top-level object changed, re-serialized. */
    static String edited(String fixture, Consumer<ObjectNode> change) {
        try {
            ObjectNode alert = (ObjectNode) JSON.readTree(read(fixture));
            change.accept(alert);
            return JSON.writeValueAsString(alert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with its result row changed. */
    static String withResult(String fixture, Consumer<ObjectNode> change) {
        return edited(fixture, alert -> change.accept((ObjectNode) alert.get("result")));
    }

    static InboundRequest delivery(String pathToken, String body) {
        return delivery(pathToken, body.getBytes(StandardCharsets.UTF_8));
    }

    static InboundRequest delivery(String pathToken, byte[] body) {
        return new InboundRequest(pathToken, Map.of("Content-Type", "application/json", "User-Agent", "Splunk"), body);
    }

    /** The configuration with the token reference plus {@code overrides}, parsed and read as the connector does. */
    static SplunkConfig config(Map<String, Object> overrides) {
        Map<String, Object> raw = new HashMap<>(overrides);
        raw.put(SplunkConfig.TOKEN, "${env:SPLUNK_TOKEN}");
        return SplunkConfig.from(SplunkConfig.definition().parse("sources.splunk-prod", raw, SecretResolver.of(ENVIRONMENT)));
    }
}
