package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.zaxxer.hikari.HikariDataSource;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.AuditVerification;
import io.irhub.routes.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real application (Camel Main in its own JVM, real HTTP, real PostgreSQL) between a Splunk webhook and an
 * Okta stand-in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static HubFixture fixture;
    static HubProcess hub;

    @BeforeAll
    static void start() {
        fixture = new HubFixture();
        hub = fixture.hub(HubFixture.workDir("end-to-end")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (fixture != null) {
            fixture.okta.close();
        }
    }

    static String hook() {
        return "/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN;
    }

    static String correlationOf(HttpResponse<String> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("accepted")).as("response %s: %s", response.statusCode(), response.body()).isTrue();
        return body.get("accepted").size() > 0 ? body.get("accepted").get(0).asText() : body.get("duplicates").get(0).asText();
    }

    @Test
    @Order(1)
    void aSplunkAlertSuspendsTheOktaUserAndClearsItsSessionsWithEvidence() throws Exception {
        HttpResponse<String> r = hub.post(hook(), HubFixture.splunkAlert("scheduler_admin_search_at_1795430400_11",
                "Compromised account - impossible travel", "alice@example.com", "high"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String corr = correlationOf(r);

        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'action-outcome' AND correlation_id = '" + corr + "'") == 2);

        // Okta saw the suspend app's signed token request, then the suspend and the session clearing
        OktaStandIn okta = fixture.okta;
        List<LoggedRequest> manageTokens = okta.tokenRequests("okta.users.manage");
        assertThat(manageTokens).hasSize(1);
        assertThat(OktaStandIn.signedBy(manageTokens.get(0), okta.suspendKey, OktaStandIn.SUSPEND_CLIENT,
                okta.baseUrl() + "/oauth2/v1/token")).isTrue();
        assertThat(OktaStandIn.signedBy(manageTokens.get(0), okta.lookupKey, OktaStandIn.SUSPEND_CLIENT,
                okta.baseUrl() + "/oauth2/v1/token")).isFalse();
        assertThat(okta.tokenRequests("okta.users.read")).allSatisfy(t -> assertThat(OktaStandIn.signedBy(t,
                okta.lookupKey, OktaStandIn.LOOKUP_CLIENT, okta.baseUrl() + "/oauth2/v1/token")).isTrue());
        List<LoggedRequest> suspends = okta.requests("POST", "/api/v1/users/00u1alice/lifecycle/suspend");
        List<LoggedRequest> clears = okta.requests("DELETE", "/api/v1/users/00u1alice/sessions\\?oauthTokens=true");
        assertThat(suspends).hasSize(1);
        assertThat(clears).hasSize(1);
        assertThat(suspends.get(0).getHeader("Authorization")).isEqualTo("Bearer " + OktaStandIn.MANAGE_TOKEN);
        assertThat(clears.get(0).getHeader("Authorization")).isEqualTo("Bearer " + OktaStandIn.MANAGE_TOKEN);
        assertThat(manageTokens.get(0).getLoggedDate()).isBeforeOrEqualTo(suspends.get(0).getLoggedDate());

        // one correlation id from signal to plan to each action's intent and outcome
        assertThat(fixture.strings("SELECT stage || ':' || outcome FROM audit_event WHERE correlation_id = '" + corr
                + "' ORDER BY id")).containsExactly("signal-accepted:accepted", "plan:dispatching",
                "action-intent:intent", "action-outcome:succeeded", "action-intent:intent", "action-outcome:succeeded");
        // the intent of each action was committed before its outcome
        assertThat(fixture.strings("SELECT details->>'verb' FROM audit_event WHERE correlation_id = '" + corr
                + "' AND stage = 'action-outcome' ORDER BY id")).containsExactly("suspend", "clear-sessions");
        assertThat(fixture.count("SELECT count(*) FROM plan WHERE state = 'completed' AND correlation_id = '" + corr + "'"))
                .isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM action WHERE expires_at IS NOT NULL AND verb = 'suspend' AND correlation_id = '"
                + corr + "'")).isEqualTo(1);

        awaitChainVerifies();
    }

    @Test
    @Order(2)
    void theSameWebhookAgainMakesNoSecondOktaCall() throws Exception {
        String body = HubFixture.splunkAlert("scheduler_admin_search_at_1795430400_11",
                "Compromised account - impossible travel", "alice@example.com", "high");
        HttpResponse<String> again = hub.post(hook(), body);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"status\":\"duplicate\"");
        String corr = correlationOf(again);
        assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-duplicate' AND correlation_id = '"
                + corr + "'")).isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM plan")).isEqualTo(1);
        // and it stays so while a sweep period passes
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                fixture.okta.requests("POST", "/api/v1/users/00u1alice/lifecycle/suspend").size() == 1);
    }

    @Test
    @Order(3)
    void badDeliveriesAreRefusedAndChangeNothing() throws Exception {
        long signals = fixture.count("SELECT count(*) FROM signal");
        long plans = fixture.count("SELECT count(*) FROM plan");
        long actions = fixture.count("SELECT count(*) FROM action");
        String valid = HubFixture.splunkAlert("sid-bad-1", "Compromised account", "bob@example.com", "critical");

        HttpResponse<String> wrongToken = hub.post("/hooks/splunk-prod/not-the-token", valid);
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(wrongToken.body()).doesNotContain(HubFixture.SPLUNK_TOKEN);
        assertThat(wrongToken.headers().map().toString()).doesNotContain("not-the-token");

        HttpResponse<String> malformed = hub.post(hook(), "{\"sid\": \"x\", \"result\": {");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("error");

        HttpResponse<String> oversized = hub.post(hook(), valid.replace("\"count\":\"3\"",
                "\"count\":\"3\",\"padding\":\"" + "x".repeat(5000) + "\""));
        assertThat(oversized.statusCode()).isEqualTo(413);

        HttpResponse<String> unknownInstance = hub.post("/hooks/nobody/" + HubFixture.SPLUNK_TOKEN, valid);
        assertThat(unknownInstance.statusCode()).isEqualTo(404);

        assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(signals);
        assertThat(fixture.count("SELECT count(*) FROM plan")).isEqualTo(plans);
        assertThat(fixture.count("SELECT count(*) FROM action")).isEqualTo(actions);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.strings(
                "SELECT details->>'http_status' FROM audit_event WHERE stage = 'signal-refused' ORDER BY id"),
                statuses -> statuses.containsAll(List.of("401", "400", "413")));
        assertThat(fixture.okta.requests("GET", "/api/v1/users/bob.*")).isEmpty();
    }

    @Test
    @Order(4)
    void aProtectedIdentityIsNeverSentToOktaAndTheRefusalIsAudited() throws Exception {
        HttpResponse<String> r = hub.post(hook(), HubFixture.splunkAlert("sid-protected", "Compromised account",
                "breakglass@example.com", "critical"));
        assertThat(r.statusCode()).isEqualTo(202);
        String corr = correlationOf(r);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'guard' AND outcome = 'blocked' AND correlation_id = '" + corr + "'") == 2);
        assertThat(fixture.count("SELECT count(*) FROM action WHERE state = 'blocked' AND correlation_id = '" + corr + "'")).isEqualTo(2);
        assertThat(fixture.okta.requests("GET", "/api/v1/users/breakglass.*")).isEmpty();
        assertThat(fixture.okta.server.getAllServeEvents()).noneMatch(e -> e.getRequest().getUrl().contains("breakglass"));
    }

    @Test
    @Order(5)
    void aDryRunPolicyMakesNoOktaCallAndIsAudited() throws Exception {
        int before = fixture.okta.server.getAllServeEvents().size();
        HttpResponse<String> r = hub.post(hook(), HubFixture.splunkAlert("sid-dry", "Dry run: suspicious login",
                "carol@example.com", "high"));
        String corr = correlationOf(r);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'action-outcome' AND outcome = 'dry-run' AND correlation_id = '" + corr + "'") == 1);
        assertThat(fixture.strings("SELECT details->>'dry_run' FROM audit_event WHERE stage = 'action-intent' AND correlation_id = '"
                + corr + "'")).containsExactly("true");
        assertThat(fixture.okta.server.getAllServeEvents()).hasSize(before);
    }

    @Test
    @Order(6)
    void anApprovalPlanWaitsStoredAndVisible() throws Exception {
        int before = fixture.okta.server.getAllServeEvents().size();
        HttpResponse<String> r = hub.post(hook(), HubFixture.splunkAlert("sid-approval", "Needs approval: odd MFA reset",
                "carol@example.com", "medium"));
        String corr = correlationOf(r);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM plan WHERE state = 'awaiting-approval' AND correlation_id = '" + corr + "'") == 1);
        assertThat(fixture.strings("SELECT state FROM action WHERE correlation_id = '" + corr + "'"))
                .containsExactly("awaiting-approval");
        assertThat(fixture.okta.server.getAllServeEvents()).hasSize(before);
    }

    @Test
    @Order(7)
    void healthAndMetricsAreServedAndNoSecretWasLogged() throws Exception {
        assertThat(hub.healthy()).isTrue();
        HttpResponse<String> metrics = HubProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + hub.managementPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("camel_exchanges").contains("jvm_memory_used_bytes{area=\"heap\"")
                .contains("jvm_gc_pause_seconds").contains("system_cpu_usage")
                .contains("irhub_signals_total{outcome=\"accepted\",source=\"splunk-prod\"}")
                .contains("irhub_signals_total{outcome=\"refused\",source=\"splunk-prod\"}")
                .contains("irhub_signals_total{outcome=\"duplicate\",source=\"splunk-prod\"}")
                .contains("irhub_plans_total{mode=\"dry-run\"}")
                .contains("irhub_actions_total{outcome=\"succeeded\",target=\"okta-main\",verb=\"suspend\"}")
                .contains("irhub_containment_seconds_count")
                .contains("irhub_audit_chain_lag");
        awaitChainVerifies();
        String log = hub.logText();
        assertThat(log).contains("action").contains("okta-main");
        for (String secret : fixture.secrets()) {
            assertThat(log.contains(secret)).as("a secret appeared in the hub's log").isFalse();
        }
        assertThat(log).doesNotContain(OktaStandIn.MANAGE_TOKEN).doesNotContain(OktaStandIn.READ_TOKEN);
    }

    static void awaitChainVerifies() {
        try (HikariDataSource ds = Database.open(fixture.jdbcUrl, "postgres", null, 2)) {
            AuditLog audit = new AuditLog(ds);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                AuditVerification v = audit.verify();
                assertThat(v.valid()).as(v.problem()).isTrue();
                return v.pending() == 0 && v.verified() > 0;
            });
        }
    }
}
