package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.irhub.routes.store.AuditExport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator API: roles, incidents and timelines, plans decided outside Slack, dry runs, export, kill switch. */
class OperatorApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String VIEWER = "viewer-token-for-tests-0b1e";
    static final String OPERATOR = "operator-token-for-tests-7f2d";

    static HubFixture fixture;
    static HubProcess hub;

    @BeforeAll
    static void start() {
        fixture = new HubFixture();
        String config = fixture.config() + """
                api:
                  tokens:
                    - {name: soc-viewer, token: "${env:VIEWER_TOKEN}"}
                    - {name: soc-lead, token: "${env:OPERATOR_TOKEN}", role: operator}
                """;
        Map<String, String> env = new HashMap<>(fixture.env());
        env.put("VIEWER_TOKEN", VIEWER);
        env.put("OPERATOR_TOKEN", OPERATOR);
        hub = new HubProcess(HubFixture.workDir("operator-api"), config, env).start();
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

    static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HubProcess.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String alert(String sid, String detection, String user) throws Exception {
        HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                HubFixture.splunkAlert(sid, detection, user, "high"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("accepted").get(0).asText();
    }

    @Test
    void unauthenticatedAndUnderprivilegedCallsAreRefusedAndAudited() throws Exception {
        assertThat(call("GET", "/api/incidents", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/incidents", "nope", null).statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = call("POST", "/api/pause", VIEWER, null);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("operator");
        assertThat(call("POST", "/api/actions/" + java.util.UUID.randomUUID() + "/restore", VIEWER, null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/plans/" + java.util.UUID.randomUUID() + "/approve", VIEWER, null).statusCode()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'api-call' AND outcome = 'refused' AND details->>'status' = '403'") >= 3);
        assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'api-call' AND actor = 'api:soc-viewer'")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void incidentsAndTheirTimelineAreServed() throws Exception {
        String corr = alert("sid-api-1", "Compromised account - api", "alice@example.com");
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.count(
                "SELECT count(*) FROM action WHERE state = 'succeeded' AND correlation_id = '" + corr + "'") == 2);
        JsonNode list = JSON.readTree(call("GET", "/api/incidents?since=1h", VIEWER, null).body());
        assertThat(list.get("incidents").findValuesAsText("correlation_id")).contains(corr);
        HttpResponse<String> one = call("GET", "/api/incidents/" + corr, VIEWER, null);
        assertThat(one.statusCode()).isEqualTo(200);
        JsonNode t = JSON.readTree(one.body());
        assertThat(t.at("/signal/detection").asText()).isEqualTo("Compromised account - api");
        assertThat(t.at("/plan/policy").asText()).isEqualTo("compromised-account");
        assertThat(t.get("actions")).hasSize(2);
        assertThat(t.get("timeline").findValuesAsText("stage")).contains("signal-accepted", "plan", "action-intent", "action-outcome");
        assertThat(call("GET", "/api/incidents/" + java.util.UUID.randomUUID(), VIEWER, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/incidents/not-an-id", VIEWER, null).statusCode()).isEqualTo(400);
    }

    @Test
    void aPolicyDryRunShowsThePlanAndStoresNothing() throws Exception {
        long signals = fixture.count("SELECT count(*) FROM signal");
        HttpResponse<String> r = call("POST", "/api/policies/test", VIEWER, """
                {"source":"splunk-prod","source_type":"splunk","detection":"Compromised laptop","severity":"critical",
                 "identities":[{"kind":"user","login":"breakglass@example.com"},{"kind":"user","login":"zoe@example.com"}]}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode plan = JSON.readTree(r.body());
        assertThat(plan.get("policy").asText()).isEqualTo("compromised-account");
        assertThat(plan.get("actions").findValuesAsText("state")).containsExactly("blocked", "blocked", "pending", "pending");
        assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(signals);
        assertThat(call("POST", "/api/policies/test", VIEWER, "{\"detection\":\"x\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void anOperatorDecidesAPlanWithoutSlack() throws Exception {
        String corr = alert("sid-api-approve", "Needs approval: api", "bob@example.com");
        await().atMost(Duration.ofSeconds(10)).until(() -> !fixture.strings(
                "SELECT plan_id::text FROM approval_request WHERE correlation_id = '" + corr + "'").isEmpty());
        String plan = fixture.strings("SELECT plan_id::text FROM approval_request WHERE correlation_id = '" + corr + "'").get(0);
        HttpResponse<String> ok = call("POST", "/api/plans/" + plan + "/approve", OPERATOR, null);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fixture.okta.requests("POST", "/api/v1/users/00u2bob/lifecycle/suspend").size() == 1);
        assertThat(call("POST", "/api/plans/" + plan + "/deny", OPERATOR, null).statusCode()).isEqualTo(409);
        assertThat(fixture.strings("SELECT actor FROM audit_event WHERE stage = 'approval' AND outcome = 'approved' AND correlation_id = '"
                + corr + "'")).containsExactly("api:soc-lead");
    }

    @Test
    void theKillSwitchStopsTargetCallsUntilResumed() throws Exception {
        assertThat(call("POST", "/api/pause", OPERATOR, null).statusCode()).isEqualTo(200);
        try {
            String corr = alert("sid-api-paused", "Compromised account - paused", "carol@example.com");
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                    "SELECT count(*) FROM action WHERE state = 'pending' AND correlation_id = '" + corr + "'") == 2);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                    fixture.okta.requests("POST", "/api/v1/users/00u3carol/lifecycle/suspend").isEmpty());
        } finally {
            assertThat(call("POST", "/api/resume", OPERATOR, null).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fixture.okta.requests("POST", "/api/v1/users/00u3carol/lifecycle/suspend").size() == 1);
        assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'api-call' AND outcome IN ('paused', 'resumed')"))
                .isEqualTo(2);
    }

    @Test
    void theEvidenceExportVerifiesOfflineAndTheOpenApiIsServed() throws Exception {
        alert("sid-api-export", "Compromised account - export", "alice@example.com");
        EndToEndTest.fixture = fixture;
        EndToEndTest.awaitChainVerifies();
        HttpResponse<String> export = call("GET", "/api/audit/export?format=jsonl", VIEWER, null);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.body().lines().count()).isGreaterThan(3);
        assertThat(AuditExport.verify(new BufferedReader(new StringReader(export.body()))).valid()).isTrue();
        String tampered = export.body().replaceFirst("\"outcome\":\"accepted\"", "\"outcome\":\"rejected\"");
        assertThat(AuditExport.verify(new BufferedReader(new StringReader(tampered))).problem()).contains("edited");
        HttpResponse<String> csv = call("GET", "/api/audit/export?format=csv", VIEWER, null);
        assertThat(csv.body()).startsWith("chain_seq,id,at,");
        assertThat(call("GET", "/api/audit/export?format=xml", VIEWER, null).statusCode()).isEqualTo(400);

        HttpResponse<String> openapi = HubProcess.HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hub.port + "/api/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(openapi.body()).get("paths").has("/api/incidents/{id}")).isTrue();
    }
}
