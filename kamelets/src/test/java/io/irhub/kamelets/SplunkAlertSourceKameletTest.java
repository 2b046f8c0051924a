package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Splunk source Kamelet on a real platform-http server, posted to as Splunk's webhook alert action posts: one
 * signal per accepted alert, in the hub's signal format; refused deliveries emit nothing.
 */
class SplunkAlertSourceKameletTest {
    private static final String TOKEN = "splunk-path-token-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ROUTES = """
            - route:
                id: signals
                from:
                  uri: kamelet:splunk-alert-source
                  steps:
                    - to: mock:signals
            """;

    @AfterAll
    static void noTokenInLogs() {
        SecretsInLogs.assertAbsent(List.of(TOKEN));
    }

    private static Map<String, String> properties() {
        Map<String, String> p = new HashMap<>();
        p.put("camel.kamelet.splunk-alert-source.token", TOKEN);
        return p;
    }

    @Test
    void emitsOneSignalPerAlertInTheHubsSignalFormat() throws Exception {
        try (CamelHarness camel = CamelHarness.startWithHttp(properties(), ROUTES)) {
            MockEndpoint signals = camel.mock("signals");
            signals.expectedMessageCount(1);
            NotifyBuilder emitted = new NotifyBuilder(camel.context()).fromRoute("signals").whenDone(1).create();

            HttpResponse<String> answer = post(camel, "/hooks/splunk/" + TOKEN,
                    Fixtures.text("splunk/alert-compromised-user.json"));

            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(Fixtures.json(answer.body())).isEqualTo(Fixtures.json("{\"status\": \"accepted\", \"signals\": 1}"));
            assertThat(emitted.matches(5, TimeUnit.SECONDS)).isTrue();
            signals.assertIsSatisfied();
            Exchange exchange = signals.getExchanges().get(0);
            JsonNode signal = Fixtures.json(exchange.getMessage().getBody(String.class));
            assertThat(signal.properties()).extracting(Map.Entry::getKey)
                    .containsExactlyInAnyOrder("id", "detection", "severity", "detected_at", "link", "identities");
            assertThat(signal.path("detection").asText()).isEqualTo("Compromised account - impossible travel");
            assertThat(signal.path("severity").asText()).isEqualTo("high");
            assertThat(signal.path("detected_at").asText()).isEqualTo("2024-06-01T11:59:47.482Z");
            assertThat(signal.path("link").asText()).startsWith("https://splunk.example.com:8000/app/search/");
            assertThat(signal.path("id").asText()).startsWith("scheduler__admin__search__RMD5a3f0c8e2b91d4e57");
            assertThat(signal.path("identities")).containsExactly(
                    Fixtures.json("{\"kind\": \"user\", \"login\": \"alice\"}"),
                    Fixtures.json("{\"kind\": \"user\", \"login\": \"alice@example.com\", \"email\": \"alice@example.com\"}"));
            // neither the request's headers nor the path token travel on to the sink
            assertThat(exchange.getMessage().getHeaders()).doesNotContainKeys("token", "Authorization",
                    Exchange.HTTP_RESPONSE_CODE, Exchange.HTTP_URI, Exchange.HTTP_PATH);
            assertThat(exchange.getMessage().getHeaders().values()).noneMatch(v -> String.valueOf(v).contains(TOKEN));
        }
    }

    @Test
    void aWrongTokenIsRefusedWith401AndEmitsNothing() throws Exception {
        try (CamelHarness camel = CamelHarness.startWithHttp(properties(), ROUTES)) {
            HttpResponse<String> answer = post(camel, "/hooks/splunk/not-the-token",
                    Fixtures.text("splunk/alert-compromised-user.json"));

            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(Fixtures.json(answer.body()).path("status").asText()).isEqualTo("refused");
            // the answer comes after the route has finished with the delivery
            assertThat(camel.mock("signals").getReceivedCounter()).isZero();
        }
    }

    @Test
    void aBodyThatIsNotSplunksFormatIsRefusedWith400() throws Exception {
        try (CamelHarness camel = CamelHarness.startWithHttp(properties(), ROUTES)) {
            HttpResponse<String> answer = post(camel, "/hooks/splunk/" + TOKEN, "{\"search_name\": \"no sid\"}");

            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(Fixtures.json(answer.body()).path("reason").asText()).isEqualTo("sid is missing, blank or not a string");
            assertThat(camel.mock("signals").getReceivedCounter()).isZero();
        }
    }

    @Test
    void aBodyOverMaxBodyBytesIsRefusedWith413() throws Exception {
        Map<String, String> properties = properties();
        properties.put("camel.kamelet.splunk-alert-source.maxBodyBytes", "64");
        properties.put("camel.kamelet.splunk-alert-source.path", "/splunk/prod");
        try (CamelHarness camel = CamelHarness.startWithHttp(properties, ROUTES)) {
            HttpResponse<String> answer = post(camel, "/splunk/prod/" + TOKEN,
                    Fixtures.text("splunk/alert-compromised-user.json"));

            assertThat(answer.statusCode()).isEqualTo(413);
            assertThat(camel.mock("signals").getReceivedCounter()).isZero();
        }
    }

    private static HttpResponse<String> post(CamelHarness camel, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + camel.httpPort() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
