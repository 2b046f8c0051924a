package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sentinel and CrowdStrike source Kamelets on a real platform-http server, posted to with the credentials in
 * headers (an HMAC of the body for Sentinel, a bearer token for CrowdStrike), with the vendors' documented payloads.
 */
class HeaderAuthenticatedSourceKameletsTest {
    private static final String HMAC_SECRET = "sentinel-hmac-" + UUID.randomUUID();
    private static final String WEBHOOK_SECRET = "fusion-webhook-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ROUTES = """
            - route:
                from:
                  uri: kamelet:sentinel-incident-source
                  steps:
                    - to: mock:sentinel
            - route:
                from:
                  uri: kamelet:crowdstrike-alert-source
                  steps:
                    - to: mock:crowdstrike
            """;
    private static final Map<String, String> PROPERTIES = Map.of(
            "camel.kamelet.sentinel-incident-source.auth", "hmac",
            "camel.kamelet.sentinel-incident-source.hmacSecret", HMAC_SECRET,
            "camel.kamelet.crowdstrike-alert-source.webhookSecret", WEBHOOK_SECRET);

    @AfterAll
    static void noSecretInLogs() {
        SecretsInLogs.assertAbsent(List.of(HMAC_SECRET, WEBHOOK_SECRET));
    }

    @Test
    void aSentinelIncidentSignedWithTheHmacBecomesOneSignal() throws Exception {
        String incident = Fixtures.text("sentinel/incident-create.json");
        try (CamelHarness camel = CamelHarness.startWithHttp(PROPERTIES, ROUTES)) {
            MockEndpoint signals = camel.mock("sentinel");
            signals.expectedMessageCount(1);

            HttpResponse<String> answer = post(camel, "/hooks/sentinel", incident,
                    Map.of("X-Irhub-Signature", hmac(HMAC_SECRET, incident)));

            assertThat(answer.statusCode()).isEqualTo(202);
            signals.assertIsSatisfied();
            JsonNode signal = Fixtures.json(signals.getExchanges().get(0).getMessage().getBody(String.class));
            assertThat(signal.path("detection").asText()).isEqualTo("Impossible travel activity involving two users");
            assertThat(signal.path("severity").asText()).isEqualTo("medium");
            assertThat(signal.path("identities")).hasSize(2)
                    .allSatisfy(identity -> assertThat(identity.path("kind").asText()).isEqualTo("user"));
        }
    }

    @Test
    void aSentinelIncidentWithAForgedSignatureIsRefused() throws Exception {
        String incident = Fixtures.text("sentinel/incident-create.json");
        try (CamelHarness camel = CamelHarness.startWithHttp(PROPERTIES, ROUTES)) {
            HttpResponse<String> answer = post(camel, "/hooks/sentinel", incident,
                    Map.of("X-Irhub-Signature", hmac("another-key", incident)));

            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(camel.mock("sentinel").getReceivedCounter()).isZero();
        }
    }

    @Test
    void aFalconAlertWithTheBearerTokenBecomesOneSignal() throws Exception {
        try (CamelHarness camel = CamelHarness.startWithHttp(PROPERTIES, ROUTES)) {
            MockEndpoint signals = camel.mock("crowdstrike");
            signals.expectedMessageCount(1);

            HttpResponse<String> answer = post(camel, "/hooks/crowdstrike", Fixtures.text("crowdstrike/fusion-webhook.json"),
                    Map.of("Authorization", "Bearer " + WEBHOOK_SECRET));

            assertThat(answer.statusCode()).isEqualTo(202);
            signals.assertIsSatisfied();
            JsonNode signal = Fixtures.json(signals.getExchanges().get(0).getMessage().getBody(String.class));
            assertThat(signal.path("detection").asText()).isEqualTo("Credential dumping from LSASS");
            assertThat(signal.path("severity").asText()).isEqualTo("high");
            assertThat(signal.path("link").asText()).startsWith("https://falcon.crowdstrike.com/");
            assertThat(signals.getExchanges().get(0).getMessage().getHeaders()).doesNotContainKey("Authorization");
        }
    }

    @Test
    void aFalconAlertWithoutTheTokenIsRefused() throws Exception {
        try (CamelHarness camel = CamelHarness.startWithHttp(PROPERTIES, ROUTES)) {
            HttpResponse<String> answer = post(camel, "/hooks/crowdstrike", Fixtures.text("crowdstrike/fusion-webhook.json"),
                    Map.of("Authorization", "Bearer not-the-secret"));

            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(camel.mock("crowdstrike").getReceivedCounter()).isZero();
        }
    }

    private static HttpResponse<String> post(CamelHarness camel, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + camel.httpPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String hmac(String key, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
