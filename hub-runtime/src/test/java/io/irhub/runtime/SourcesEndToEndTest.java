package io.irhub.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every source through the real pipeline with the vendors' documented payloads (the connector modules' fixtures):
 * Sentinel's Logic App push, CrowdStrike's Alerts API poll resuming from its checkpoint after a restart, and Falcon
 * Event Streams events on a Kafka topic; bad deliveries leave nothing but an audit row.
 */
class SourcesEndToEndTest {
    static final String SENTINEL_TOKEN = "sentinel-push-token-e2e-5a1f";
    static final String FALCON_WEBHOOK = "falcon-webhook-token-e2e-8c2d";
    static final String FALCON_SECRET = "falcon-client-secret-e2e-1b9e";

    static String fixture(String connector, String name) throws Exception {
        return Files.readString(Path.of("..", "connectors", connector, "src", "test", "resources", connector, name));
    }

    @Test
    void sentinelPushFalconPollAndFalconEventsReachThePipeline() throws Exception {
        HubFixture fixture = new HubFixture();
        WireMockServer falcon = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        falcon.start();
        falcon.stubFor(post(urlPathEqualTo("/oauth2/token")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(fixture("crowdstrike", "token.json"))));
        falcon.stubFor(get(urlPathEqualTo("/alerts/queries/alerts/v2")).willReturn(okJson(fixture("crowdstrike", "alerts-query-response.json"))));
        // the documented alerts, updated a minute ago (the poller asks only for what changed since its checkpoint)
        String recent = java.time.Instant.now().minusSeconds(60).toString().substring(0, 14);
        falcon.stubFor(post(urlPathEqualTo("/alerts/entities/alerts/v2")).willReturn(okJson(
                fixture("crowdstrike", "alerts-entities-response.json").replace("2026-11-02T08:", recent))));
        try (KafkaBroker kafka = KafkaBroker.start()) {
            String config = """
                    store:
                      jdbc-url: %s
                      username: postgres
                    kafka:
                      bootstrap-servers: %s
                    sources:
                      - name: sentinel-prod
                        type: sentinel
                        config: {auth: bearer, bearer-token: "${env:SENTINEL_TOKEN}", max-body-bytes: 65536}
                      - name: falcon-us1
                        type: crowdstrike
                        config:
                          webhook-secret: ${env:FALCON_WEBHOOK}
                          poll: true
                          base-url: %s
                          client-id: falcon-api-client
                          client-secret: ${env:FALCON_SECRET}
                          poll-interval: 1s
                        kafka: {topic: falcon-events, dead-letter-topic: irhub-dead-letters}
                    targets:
                      - name: okta-main
                        type: okta
                        config: {org-url: "%s", client-id: %s, private-key: "${env:OKTA_LOOKUP_KEY}"}
                    policies:
                      - name: observe-everything
                        mode: dry-run
                        actions: [{verb: suspend, target: okta-main}]
                    """.formatted(fixture.jdbcUrl, kafka.bootstrap(), "http://127.0.0.1:" + falcon.port(),
                    fixture.okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT);
            Map<String, String> env = new HashMap<>(fixture.env());
            env.put("SENTINEL_TOKEN", SENTINEL_TOKEN);
            env.put("FALCON_WEBHOOK", FALCON_WEBHOOK);
            env.put("FALCON_SECRET", FALCON_SECRET);
            try (HubProcess hub = new HubProcess(HubFixture.workDir("sources"), config, env)) {
                hub.start();

                // Sentinel: the Logic App's incident, then the same incident updated: one signal, one plan
                String incident = fixture("sentinel", "incident-create.json");
                assertThat(push(hub, "/hooks/sentinel-prod", SENTINEL_TOKEN, incident).statusCode()).isEqualTo(202);
                assertThat(push(hub, "/hooks/sentinel-prod", SENTINEL_TOKEN, fixture("sentinel", "incident-update.json"))
                        .body()).contains("duplicate");
                assertThat(fixture.strings("SELECT identities::text FROM signal WHERE source_instance = 'sentinel-prod'").get(0))
                        .contains("alice").contains("bob.jones");
                // and what must change nothing
                long before = fixture.count("SELECT count(*) FROM signal");
                assertThat(push(hub, "/hooks/sentinel-prod", "wrong-token", incident).statusCode()).isEqualTo(401);
                assertThat(push(hub, "/hooks/sentinel-prod", null, incident).statusCode()).isEqualTo(401);
                assertThat(push(hub, "/hooks/sentinel-prod", SENTINEL_TOKEN, "{\"object\":").statusCode()).isEqualTo(400);
                assertThat(push(hub, "/hooks/sentinel-prod", SENTINEL_TOKEN, incident.replace("\"title\"",
                        "\"padding\":\"" + "x".repeat(70_000) + "\",\"title\"")).statusCode()).isEqualTo(413);
                assertThat(push(hub, "/hooks/sentinel-prod/" + SENTINEL_TOKEN, null, incident).statusCode()).isEqualTo(401);
                assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(before);

                // CrowdStrike: the Alerts API poll finds three alerts, two of which name a user
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        fixture.count("SELECT count(*) FROM signal WHERE source_instance = 'falcon-us1'") == 2);
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        fixture.count("SELECT count(*) FROM plan WHERE signal_id IN (SELECT id FROM signal WHERE source_instance = 'falcon-us1')") == 2);
                assertThat(fixture.strings("SELECT identities::text FROM signal WHERE source_instance = 'falcon-us1' ORDER BY received_at"))
                        .anyMatch(i -> i.contains("jdoe@example.com")).anyMatch(i -> i.contains("asmith@example.com"));
                String checkpoint = fixture.strings("SELECT checkpoint FROM source_checkpoint WHERE source_instance = 'falcon-us1'").get(0);
                assertThat(checkpoint).isNotBlank();

                // Falcon Event Streams on Kafka: one detection, one record that is no detection
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()), new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>("falcon-events", fixture("crowdstrike", "epp-detection-summary-event.json"))).get();
                    producer.send(new ProducerRecord<>("falcon-events", "{\"metadata\":{\"eventType\":\"AuthActivityAuditEvent\"}}")).get();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count(
                        "SELECT count(*) FROM audit_event WHERE stage = 'signal-refused' AND outcome = 'dead-lettered' AND connector_instance = 'falcon-us1'") == 1);
                // the event is the detection the poll already found (same composite id): one signal, one duplicate row
                await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                        "SELECT count(*) FROM audit_event WHERE stage = 'signal-duplicate' AND connector_instance = 'falcon-us1'") >= 1);
                assertThat(fixture.count("SELECT count(*) FROM signal WHERE source_instance = 'falcon-us1'")).isEqualTo(2);

                // a restart resumes from the stored checkpoint and acts on nothing old
                long plans = fixture.count("SELECT count(*) FROM plan");
                hub.kill();
                falcon.resetRequests();
                hub.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> !queries(falcon).isEmpty());
                String filter = URLDecoder.decode(queries(falcon).get(0).queryParameter("filter").firstValue(), StandardCharsets.UTF_8);
                String since = checkpoint.contains("#") ? checkpoint.substring(0, checkpoint.indexOf('#')) : checkpoint;
                assertThat(filter).contains(since);
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                        fixture.count("SELECT count(*) FROM plan") == plans);
                String log = hub.logText();
                for (String secret : List.of(SENTINEL_TOKEN, FALCON_WEBHOOK, FALCON_SECRET)) {
                    assertThat(log.contains(secret)).as("a secret appeared in the log").isFalse();
                }
            }
        } finally {
            falcon.stop();
            fixture.okta.close();
        }
    }

    static List<LoggedRequest> queries(WireMockServer falcon) {
        return falcon.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getUrl().startsWith("/alerts/queries/alerts/v2")).toList();
    }

    static HttpResponse<String> push(HubProcess hub, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HubProcess.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
