package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A target that keeps failing opens its circuit: the failures stay visibly failed, the actions that come after wait
 * (pending, the target is not called), and once the target answers again they are carried out, each once.
 */
class TargetCircuitTest {

    @Test
    void aFailingTargetOpensItsCircuitAndTheWaitingActionsRunOnceItRecovers() throws Exception {
        HubFixture fixture = new HubFixture();
        String config = fixture.config().replace("pipeline:\n  sweep-every: 2s\n", """
                pipeline:
                  sweep-every: 2s
                  circuit-breaker: {failure-rate: 50, window: 2, minimum-calls: 2, open-for: 6s}
                """);
        assertThat(config).contains("circuit-breaker");
        config = config.replace("      suspend-private-key: ${env:OKTA_SUSPEND_KEY}\n",
                "      suspend-private-key: ${env:OKTA_SUSPEND_KEY}\n      max-retries: 1\n");
        // Okta reads fine but every change answers 503
        fixture.okta.server.stubFor(any(urlPathMatching("/api/v1/users/[^/]+/(lifecycle/.*|sessions)")).atPriority(1)
                .willReturn(aResponse().withStatus(503)));
        try (HubProcess hub = new HubProcess(HubFixture.workDir("circuit"), config, fixture.env())) {
            hub.start();
            assertThat(hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-circuit-1", "Compromised account", "alice@example.com", "high"))
                    .statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'target-circuit' AND outcome = 'open'") == 1);
            // alice's two actions failed after their bounded retries, and say so
            assertThat(fixture.strings("SELECT state FROM action WHERE identity_key = 'user:alice@example.com'"))
                    .containsOnly("failed").hasSize(2);
            assertThat(fixture.strings("SELECT outcome->>'message' FROM action WHERE identity_key = 'user:alice@example.com'"))
                    .allSatisfy(m -> assertThat(m).contains("503"));
            int callsWhenOpened = changeCalls(fixture);

            // bob's actions come while the circuit is open: they wait, and Okta is not called
            assertThat(hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-circuit-2", "Compromised account", "bob@example.com", "high"))
                    .statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    fixture.count("SELECT count(*) FROM action WHERE identity_key = 'user:bob@example.com'") == 2);
            assertThat(fixture.strings("SELECT state FROM action WHERE identity_key = 'user:bob@example.com'"))
                    .containsOnly("pending");
            assertThat(changeCalls(fixture)).isEqualTo(callsWhenOpened);
            assertThat(metrics(hub)).contains("irhub_target_circuit{target=\"okta-main\"} 2.0");

            // Okta recovers: a trial call goes through, the circuit closes, bob's actions are carried out once
            fixture.okta.stubNormal();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.strings(
                    "SELECT state FROM action WHERE identity_key = 'user:bob@example.com'").stream().allMatch("succeeded"::equals));
            assertThat(fixture.okta.requests("POST", "/api/v1/users/00u2bob/lifecycle/suspend")).hasSize(1);
            assertThat(fixture.okta.requests("DELETE", "/api/v1/users/00u2bob/sessions.*")).hasSize(1);
            assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'action-outcome'")).isEqualTo(4);
            assertThat(fixture.strings("SELECT outcome FROM audit_event WHERE stage = 'target-circuit' ORDER BY id"))
                    .startsWith("open").endsWith("closed").contains("half-open");
            assertThat(fixture.strings("SELECT state FROM plan ORDER BY created_at")).containsExactly("failed", "completed");
            EndToEndTest.fixture = fixture;
            EndToEndTest.awaitChainVerifies();
        } finally {
            fixture.okta.close();
        }
    }

    @Test
    void aCircuitBreakerSettingOutOfRangeIsRefusedAtStartUp() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(io.irhub.connector.api.ConfigException.class, () ->
                Hub.circuitSettings(new IrhubConfig.CircuitBreaker(0, 10, 5, "30s"))).getMessage())
                .contains("pipeline.circuit-breaker").contains("failure-rate");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(io.irhub.connector.api.ConfigException.class, () ->
                Hub.circuitSettings(new IrhubConfig.CircuitBreaker(50, 4, 5, "30s"))).getMessage())
                .contains("minimum-calls");
        assertThat(Hub.circuitSettings(new IrhubConfig.CircuitBreaker(null, 4, null, null)).minimumCalls()).isEqualTo(4);
    }

    private static int changeCalls(HubFixture fixture) {
        return fixture.okta.requests("POST", "/api/v1/users/.*/lifecycle/.*").size()
                + fixture.okta.requests("DELETE", "/api/v1/users/.*/sessions.*").size();
    }

    private static String metrics(HubProcess hub) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hub.managementPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
