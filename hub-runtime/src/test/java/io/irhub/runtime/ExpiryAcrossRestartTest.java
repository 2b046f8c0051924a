package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A suspension's expiry is kept in the store: it restores the identity on time, also across a restart. */
class ExpiryAcrossRestartTest {

    @Test
    void anUnconfirmedSuspensionIsRestoredAtItsExpiryAfterARestart() throws Exception {
        HubFixture fixture = new HubFixture();
        fixture.okta.stubLifecycleUser("erin", "00u5erin");
        String config = """
                store:
                  jdbc-url: %s
                  username: postgres
                pipeline:
                  expiry-check-every: 500ms
                sources:
                  - name: splunk-prod
                    type: splunk
                    config: {token: "${env:SPLUNK_TOKEN}"}
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
                policies:
                  - name: suspend-for-a-moment
                    mode: auto
                    actions:
                      - {verb: suspend, target: okta-main, expires-after: 6s}
                """.formatted(fixture.jdbcUrl, fixture.okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT, OktaStandIn.SUSPEND_CLIENT,
                OktaStandIn.SUSPEND_CLIENT);
        try (HubProcess hub = new HubProcess(HubFixture.workDir("expiry"), config, fixture.env())) {
            hub.start();
            HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-expiry", "Risky sign-in", "erin@example.com", "high"));
            assertThat(r.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    fixture.okta.requests("POST", "/api/v1/users/00u5erin/lifecycle/suspend").size() == 1
                            && fixture.count("SELECT count(*) FROM action WHERE verb = 'suspend' AND state = 'succeeded'") == 1);
            Instant expiresAt = Instant.parse(fixture.strings(
                    "SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM action WHERE verb = 'suspend'").get(0));
            hub.kill();

            // the hub is down when the suspension expires
            await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(expiresAt));
            assertThat(fixture.okta.requests("POST", "/api/v1/users/00u5erin/lifecycle/unsuspend")).isEmpty();

            hub.start();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    fixture.okta.requests("POST", "/api/v1/users/00u5erin/lifecycle/unsuspend").size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                    "SELECT count(*) FROM action WHERE verb = 'restore' AND state = 'succeeded'") == 1);
            assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'restore-requested' AND actor = 'expiry'"))
                    .isEqualTo(1);
        } finally {
            fixture.okta.close();
        }
    }
}
