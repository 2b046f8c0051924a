package io.irhub.connector.generic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.SourceConnector;
import io.irhub.connector.testkit.SourceConnectorContract;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenericConnectorTest extends SourceConnectorContract {
    static final String TOKEN = "generic-bearer-token-for-tests-91ac";

    static String fixture() {
        try (InputStream in = GenericConnectorTest.class.getResourceAsStream("/generic/signal.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InboundRequest delivery(String token, String body) {
        return new InboundRequest(null, Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected SourceConnector connector() {
        return new GenericConnector();
    }

    @Override
    protected Map<String, Object> validConfig() {
        return Map.of("bearer-token", "${env:GENERIC_TOKEN}");
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("GENERIC_TOKEN", TOKEN);
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("bearer-token");
    }

    @Override
    protected InboundRequest validDelivery() {
        return delivery(TOKEN, fixture());
    }

    @Override
    protected InboundRequest wronglyAuthenticatedDelivery() {
        return delivery("not-" + TOKEN, fixture());
    }

    @Override
    protected List<String> malformedBodies() {
        return List.of("{", "[]", "\"text\"", "{\"id\":\"x\"}",
                fixture().replace("\"high\"", "\"extreme\""),
                fixture().replace("\"kind\": \"user\"", "\"kind\": \"robot\""),
                fixture().replace("\"detection\"", "\"detektion\""),
                fixture().replace("2026-11-23T10:15:30Z", "yesterday"),
                fixture().replace("https://siem", "javascript://siem"),
                "{\"id\":\"a\",\"detection\":\"d\",\"severity\":\"low\",\"identities\":[]}",
                "{\"id\":\"a\",\"detection\":\"d\",\"severity\":\"low\",\"identities\":[{\"kind\":\"user\"}]}");
    }

    @Test
    void readsEveryFieldOfTheDocumentedFormat() throws Exception {
        Signal s = openSource().normalize(validDelivery()).get(0);
        assertThat(s.dedupeKey()).isEqualTo("edr-7f3a9c");
        assertThat(s.detection()).isEqualTo("Token used from a new country");
        assertThat(s.severity()).isEqualTo(Severity.HIGH);
        assertThat(s.detectedAt()).isEqualTo(Instant.parse("2026-11-23T10:15:30Z"));
        assertThat(s.link()).isEqualTo("https://siem.example.com/alerts/edr-7f3a9c");
        assertThat(s.identities()).extracting(i -> i.kind() + " " + i.name())
                .containsExactly(IdentityKind.USER + " alice@example.com", IdentityKind.API_TOKEN + " hmac-accessor-1");
    }

    @Test
    void anArrayIsSeveralSignals() throws Exception {
        String two = "[" + fixture() + "," + fixture().replace("edr-7f3a9c", "edr-8b4c") + "]";
        assertThat(openSource().normalize(delivery(TOKEN, two))).extracting(Signal::dedupeKey)
                .containsExactly("edr-7f3a9c", "edr-8b4c");
    }

    @Test
    void aMissingOrNonBearerHeaderIsRefused() {
        var source = openSource();
        assertThat(source.authenticate(new InboundRequest(null, Map.of(), new byte[0]))).isFalse();
        assertThat(source.authenticate(new InboundRequest(null, Map.of("Authorization", "Basic " + TOKEN), new byte[0]))).isFalse();
        assertThat(source.authenticate(new InboundRequest("path-token", Map.of(), new byte[0]))).isFalse();
    }

    @Test
    void errorsNameTheField() {
        assertThatThrownBy(() -> openSource().normalize(delivery(TOKEN, "[" + fixture() + ",{\"id\":\"b\"}]")))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("[1]detection is required");
    }

    @Test
    void theSchemaDocumentsExactlyTheFieldsTheParserReads() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(GenericSource.class.getResourceAsStream("/irhub-signal.schema.json"));
        assertThat(schema.get("properties").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("id", "detection", "severity", "detected_at", "link", "identities");
        assertThat(schema.at("/properties/identities/items/properties").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("kind", "login", "email", "external_id");
        assertThat(schema.at("/properties/severity/enum")).extracting(JsonNode::asText)
                .containsExactly("informational", "low", "medium", "high", "critical");
    }
}
