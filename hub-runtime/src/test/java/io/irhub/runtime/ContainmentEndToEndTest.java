package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One person contained everywhere at once: suspended in Okta and 1Password and their Vault token revoked, from one
 * Splunk alert; then restored through the API, the reversible parts only, all under one correlation id.
 */
class ContainmentEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API_TOKEN = "irhub-api-token-for-tests-4f1c";
    static final String ACCESSOR = "hmac-accessor-dave-7d2e";

    static HubFixture fixture;
    static OnePasswordStandIn onePassword;
    static VaultStandIn vault;
    static HubProcess hub;

    @BeforeAll
    static void start() {
        fixture = new HubFixture();
        fixture.okta.stubLifecycleUser("dave", "00u4dave");
        onePassword = new OnePasswordStandIn("dave@example.com");
        vault = new VaultStandIn(ACCESSOR);
        String config = """
                store:
                  jdbc-url: %s
                  username: postgres
                pipeline:
                  sweep-every: 2s
                api:
                  tokens:
                    - {name: soc-lead, token: "${env:IRHUB_API_TOKEN}", role: operator}
                sources:
                  - name: splunk-prod
                    type: splunk
                    config:
                      token: ${env:SPLUNK_TOKEN}
                      identity-fields: "user,token_accessor:api-token"
                targets:
                  - name: okta-main
                    type: okta
                    config:
                      org-url: %s
                      client-id: %s
                      private-key: ${env:OKTA_LOOKUP_KEY}
                      suspend-client-id: %s
                      suspend-private-key: ${env:OKTA_SUSPEND_KEY}
                      restore-client-id: %s
                      restore-private-key: ${env:OKTA_SUSPEND_KEY}
                  - name: onepassword
                    type: onepassword
                    config:
                      base-url: %s
                      account-id: %s
                      lookup-client-id: op-lookup-app
                      lookup-client-secret: ${env:OP_LOOKUP}
                      suspend-client-id: op-suspend-app
                      suspend-client-secret: ${env:OP_SUSPEND}
                      reactivate-client-id: op-reactivate-app
                      reactivate-client-secret: ${env:OP_REACTIVATE}
                  - name: vault
                    type: vault
                    config:
                      address: %s
                      revoke-token: ${env:VAULT_REVOKE}
                      rotate-token: ${env:VAULT_ROTATE}
                policies:
                  - name: contain-leaked-token-owner
                    match:
                      detection: "Leaked token*"
                    mode: auto
                    irreversible: allowed
                    actions:
                      - {verb: suspend, target: okta-main, identity-kinds: [user]}
                      - {verb: suspend, target: onepassword, identity-kinds: [user]}
                      - {verb: revoke, target: vault, identity-kinds: [api-token]}
                """.formatted(fixture.jdbcUrl, fixture.okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT, OktaStandIn.SUSPEND_CLIENT,
                "0oa-restore-app", onePassword.baseUrl(), OnePasswordStandIn.ACCOUNT, vault.baseUrl());
        Map<String, String> env = new HashMap<>(fixture.env());
        env.put("IRHUB_API_TOKEN", API_TOKEN);
        env.put("OP_LOOKUP", OnePasswordStandIn.secret("lookup"));
        env.put("OP_SUSPEND", OnePasswordStandIn.secret("suspend"));
        env.put("OP_REACTIVATE", OnePasswordStandIn.secret("reactivate"));
        env.put("VAULT_REVOKE", VaultStandIn.REVOKE_TOKEN);
        env.put("VAULT_ROTATE", VaultStandIn.ROTATE_TOKEN);
        hub = new HubProcess(HubFixture.workDir("containment"), config, env).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        for (AutoCloseable c : new AutoCloseable[]{fixture == null ? null : fixture.okta, onePassword, vault}) {
            if (c != null) {
                c.close();
            }
        }
    }

    HttpResponse<String> api(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + path))
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"confirmed false positive\"}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HubProcess.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void suspendEverywhereRevokeTheTokenThenRestoreTheReversibleParts() throws Exception {
        HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN, """
                {"sid":"scheduler_leaked_token_1","search_name":"Leaked token used from new ASN","app":"search",
                 "owner":"admin","results_link":"https://splunk.example.com/x",
                 "result":{"user":"dave@example.com","token_accessor":"%s","severity":"critical"}}""".formatted(ACCESSOR));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String corr = JSON.readTree(r.body()).get("accepted").get(0).asText();

        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count(
                "SELECT count(*) FROM action WHERE state = 'succeeded' AND correlation_id = '" + corr + "'") == 3);
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u4dave/lifecycle/suspend")).hasSize(1);
        assertThat(onePassword.requests("POST", ".*/users/" + OnePasswordStandIn.USER_ID + ":suspend")).hasSize(1);
        assertThat(onePassword.requests("POST", ".*/users/" + OnePasswordStandIn.USER_ID + ":suspend").get(0)
                .getHeader("Authorization")).isEqualTo("Bearer op-suspend-access");
        assertThat(vault.requests("POST", "/v1/auth/token/revoke-accessor")).hasSize(1);

        // no token, no restore; the refusal is audited
        assertThat(api("/api/incidents/" + corr + "/restore", null).statusCode()).isEqualTo(401);
        assertThat(api("/api/incidents/" + corr + "/restore", "wrong-token").statusCode()).isEqualTo(401);

        HttpResponse<String> restore = api("/api/incidents/" + corr + "/restore", API_TOKEN);
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);
        JsonNode body = JSON.readTree(restore.body());
        assertThat(body.get("restore_actions")).hasSize(2);

        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count(
                "SELECT count(*) FROM action WHERE verb = 'restore' AND state = 'succeeded' AND correlation_id = '" + corr + "'") == 2);
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u4dave/lifecycle/unsuspend")).hasSize(1);
        assertThat(onePassword.requests("POST", ".*/users/" + OnePasswordStandIn.USER_ID + ":reactivate")).hasSize(1);
        assertThat(onePassword.requests("POST", ".*/users/" + OnePasswordStandIn.USER_ID + ":reactivate").get(0)
                .getHeader("Authorization")).isEqualTo("Bearer op-reactivate-access");
        // the token stays revoked: revoke is irreversible
        assertThat(vault.requests("POST", "/v1/auth/token/revoke-accessor")).hasSize(1);

        // asking again changes nothing
        HttpResponse<String> again = api("/api/incidents/" + corr + "/restore", API_TOKEN);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("nothing-to-restore");

        assertThat(fixture.strings("SELECT stage || ':' || outcome FROM audit_event WHERE correlation_id = '" + corr
                + "' AND stage IN ('restore-requested', 'action-outcome') ORDER BY id"))
                .containsExactly("action-outcome:succeeded", "action-outcome:succeeded", "action-outcome:succeeded",
                        "restore-requested:requested", "restore-requested:requested",
                        "action-outcome:succeeded", "action-outcome:succeeded");
        assertThat(fixture.strings("SELECT DISTINCT actor FROM audit_event WHERE stage = 'restore-requested' AND correlation_id = '"
                + corr + "'")).containsExactly("api:soc-lead");
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'api-call' AND outcome = 'refused'") == 2);
        EndToEndTest.fixture = fixture;
        EndToEndTest.awaitChainVerifies();
        String log = hub.logText();
        for (String secret : new String[]{API_TOKEN, VaultStandIn.REVOKE_TOKEN, OnePasswordStandIn.secret("suspend")}) {
            assertThat(log.contains(secret)).as("a secret appeared in the log").isFalse();
        }
    }
}
