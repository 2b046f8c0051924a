package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Accepted means durable, and a restart finishes the plan exactly once (invariants 1 and 4). */
class CrashRecoveryTest {

    @Test
    void aHubKilledMidPlanFinishesItExactlyOnceAfterRestart() throws Exception {
        HubFixture fixture = new HubFixture();
        try (HubProcess hub = fixture.hub(HubFixture.workDir("crash-mid-dispatch"))) {
            hub.start();
            // Okta hangs on the first token request: the hub has accepted and planned, and is inside dispatch
            fixture.okta.hangOnLookupToken();
            HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-crash", "Compromised account", "alice@example.com", "high"));
            assertThat(r.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(15)).until(() -> !fixture.okta.tokenRequests("okta.users.read").isEmpty());
            assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(1);
            assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'action-outcome'")).isZero();

            hub.kill();
            fixture.okta.stubNormal();

            hub.start();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'action-outcome'") == 2);
            assertThat(fixture.okta.requests("POST", "/api/v1/users/00u1alice/lifecycle/suspend")).hasSize(1);
            assertThat(fixture.okta.requests("DELETE", "/api/v1/users/00u1alice/sessions.*")).hasSize(1);
            assertThat(fixture.count("SELECT count(*) FROM plan")).isEqualTo(1);
            assertThat(fixture.count("SELECT count(*) FROM action")).isEqualTo(2);
            assertThat(fixture.strings("SELECT state FROM action ORDER BY seq")).containsExactly("succeeded", "succeeded");
            // the resumed attempt is on the record
            assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'action-intent' AND outcome = 'resumed'"))
                    .isEqualTo(1);
            EndToEndTest.fixture = fixture;
            EndToEndTest.awaitChainVerifies();
        } finally {
            fixture.okta.close();
        }
    }

    @Test
    void aSignalAcceptedButNeverPlannedIsPlannedAfterRestart() throws Exception {
        HubFixture fixture = new HubFixture();
        try (HubProcess hub = fixture.hub(HubFixture.workDir("crash-before-plan"))) {
            hub.start();
            HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-unplanned", "Compromised account", "bob@example.com", "high"));
            assertThat(r.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'action-outcome'") == 2);
            hub.kill();
            // put the store back to where a crash right after the 2xx leaves it: the signal accepted, nothing else
            fixture.execute("DELETE FROM action; DELETE FROM plan; UPDATE signal SET state = 'accepted'");
            fixture.okta.stubNormal();
            hub.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("SELECT count(*) FROM plan WHERE state = 'completed'") == 1);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    fixture.okta.requests("DELETE", "/api/v1/users/00u2bob/sessions.*").size() == 1);
            assertThat(fixture.okta.requests("POST", "/api/v1/users/00u2bob/lifecycle/suspend")).hasSize(1);
        } finally {
            fixture.okta.close();
        }
    }
}
