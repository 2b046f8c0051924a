package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SOC analysts decide in Slack: a plan is posted, a signed click from an approver carries it out, and everything
 * else — strangers, forged and stale signatures, replays, self-approval, late clicks — changes nothing but the audit.
 */
class ApprovalEndToEndTest {
    static final String APPROVER_1 = "U0APPROVER1";
    static final String APPROVER_2 = "U0APPROVER2";

    static HubFixture fixture;
    static SlackStandIn slack;
    static HubProcess hub;

    @BeforeAll
    static void start() {
        fixture = new HubFixture();
        fixture.okta.stubLifecycleUser("grace", "00u6grace");
        slack = new SlackStandIn();
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
                      deactivate-client-id: %s
                      deactivate-private-key: ${env:OKTA_SUSPEND_KEY}
                approval-channels:
                  - name: slack-soc
                    type: slack
                    config:
                      bot-token: ${env:SLACK_BOT_TOKEN}
                      signing-secret: ${env:SLACK_SIGNING_SECRET}
                      channel: %s
                      api-base-url: %s
                approval:
                  channel: slack-soc
                  approvers:
                    - {id: U0APPROVER1, login: alice@example.com}
                    - {id: U0APPROVER2, login: bob@example.com}
                  two-person-for-irreversible: true
                  timeout: 30m
                policies:
                  - name: quick-expiry
                    match: {detection: "Expiring*"}
                    mode: approval
                    approval: {timeout: 2s}
                    actions: [{verb: suspend, target: okta-main}]
                  - name: offboard-leaver
                    match: {detection: "Leaver*"}
                    mode: approval
                    actions: [{verb: deactivate, target: okta-main}]
                  - name: human-in-the-loop
                    mode: approval
                    actions: [{verb: suspend, target: okta-main}]
                """.formatted(fixture.jdbcUrl, fixture.okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT, OktaStandIn.SUSPEND_CLIENT,
                OktaStandIn.SUSPEND_CLIENT, SlackStandIn.CHANNEL, slack.apiBaseUrl());
        Map<String, String> env = new HashMap<>(fixture.env());
        env.put("SLACK_BOT_TOKEN", SlackStandIn.BOT_TOKEN);
        env.put("SLACK_SIGNING_SECRET", SlackStandIn.SIGNING_SECRET);
        hub = new HubProcess(HubFixture.workDir("approvals"), config, env).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (slack != null) {
            slack.close();
        }
        if (fixture != null) {
            fixture.okta.close();
        }
    }

    /** Posts an alert and waits for its approval message; returns the plan id and the message ts. */
    static String[] planAwaitingApproval(String sid, String detection, String user) throws Exception {
        HttpResponse<String> r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                HubFixture.splunkAlert(sid, detection, user, "high"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String corr = SlackStandIn.JSON.readTree(r.body()).get("accepted").get(0).asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> !fixture.strings(
                "SELECT message_id FROM approval_request WHERE message_id IS NOT NULL AND correlation_id = '" + corr + "'").isEmpty());
        String planId = fixture.strings("SELECT plan_id::text FROM approval_request WHERE correlation_id = '" + corr + "'").get(0);
        String ts = fixture.strings("SELECT message_id FROM approval_request WHERE plan_id = '" + planId + "'").get(0);
        return new String[]{planId, ts, corr};
    }

    static long approvalAudits(String corr, String outcome) throws Exception {
        return fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'approval' AND outcome = '" + outcome
                + "' AND correlation_id = '" + corr + "'");
    }

    @Test
    void anApproverClickCarriesThePlanOutAndEverythingElseChangesNothing() throws Exception {
        String[] p = planAwaitingApproval("sid-approve", "Impossible travel <!channel> <https://evil.example|Okta login>",
                "grace@example.com");
        UUID plan = UUID.fromString(p[0]);
        String corr = p[2];

        // the message: what was detected, which action, the buttons carrying the plan id; hostile text escaped
        JsonNode message = slack.postedFor(plan);
        assertThat(message).isNotNull();
        assertThat(message.path("channel").asText()).isEqualTo(SlackStandIn.CHANNEL);
        assertThat(message.toString()).contains("irhub_approve").contains("irhub_deny").contains("grace@example.com")
                .contains("okta-main").contains("human-in-the-loop")
                .doesNotContain("<!channel>").doesNotContain("<https://evil.example|Okta login>");
        assertThat(slack.calls("/api/chat.postMessage").get(0).getHeader("Authorization"))
                .isEqualTo("Bearer " + SlackStandIn.BOT_TOKEN);

        // a stranger's click: acknowledged, refused, audited, told; nothing moves
        HttpResponse<String> stranger = SlackStandIn.send(hub, slack.click(plan, true, "U0STRANGER", "mallory", p[1]));
        assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> approvalAudits(corr, "refused") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("/actions/").stream().anyMatch(c ->
                c.getBodyAsString().contains("\"ephemeral\"") && c.getBodyAsString().contains("not an approver")));

        // a forged signature and a stale one: 401, audited, nothing moves
        String approve = slack.click(plan, true, APPROVER_1, "alice", p[1]);
        assertThat(SlackStandIn.send(hub, approve, Instant.now().getEpochSecond(), "not-the-signing-secret").statusCode())
                .isEqualTo(401);
        assertThat(SlackStandIn.send(hub, approve, Instant.now().minusSeconds(600).getEpochSecond(), SlackStandIn.SIGNING_SECRET)
                .statusCode()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'approval' AND details->>'http_status' = '401'") >= 2);
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u6grace/lifecycle/suspend")).isEmpty();
        assertThat(fixture.strings("SELECT state FROM plan WHERE id = '" + plan + "'")).containsExactly("awaiting-approval");

        // the approver's click: carried out, the message updated, the approver on the record
        long start = System.nanoTime();
        HttpResponse<String> ack = SlackStandIn.send(hub, approve);
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fixture.okta.requests("POST", "/api/v1/users/00u6grace/lifecycle/suspend").size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM action WHERE state = 'succeeded' AND correlation_id = '" + corr + "'") == 1);
        assertThat(fixture.strings("SELECT (details->>'approver_id') || ' ' || (details->>'approver_name') FROM audit_event"
                + " WHERE stage = 'approval' AND outcome = 'approved' AND correlation_id = '" + corr + "'"))
                .containsExactly(APPROVER_1 + " alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.updatesFor(p[1]).stream()
                .anyMatch(u -> u.toString().contains("succeeded")));
        JsonNode last = slack.updatesFor(p[1]).get(slack.updatesFor(p[1]).size() - 1);
        assertThat(last.toString()).contains(APPROVER_1).doesNotContain("irhub_approve");
        // how long the plan waited for a person is measured
        assertThat(HubProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + hub.managementPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body())
                .containsPattern("irhub_approval_latency_seconds_count\\{decision=\"approved\"\\} [1-9]");

        // the same signed click replayed: nothing more happens
        assertThat(SlackStandIn.send(hub, approve).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> approvalAudits(corr, "refused") == 2);
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u6grace/lifecycle/suspend")).hasSize(1);
    }

    @Test
    void nobodyDecidesAPlanThatActsOnThemselves() throws Exception {
        String[] p = planAwaitingApproval("sid-self", "Suspicious MFA reset", "bob@example.com");
        UUID plan = UUID.fromString(p[0]);
        SlackStandIn.send(hub, slack.click(plan, true, APPROVER_2, "bob", p[1]));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.count(
                "SELECT count(*) FROM audit_event WHERE stage = 'approval' AND outcome = 'refused' AND correlation_id = '"
                        + p[2] + "' AND details->>'reason' LIKE '%your own identity%'") == 1);
        assertThat(fixture.strings("SELECT state FROM plan WHERE id = '" + plan + "'")).containsExactly("awaiting-approval");

        // the other approver denies: nothing is done, the plan is closed as denied
        SlackStandIn.send(hub, slack.click(plan, false, APPROVER_1, "alice", p[1]));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fixture.strings("SELECT state FROM plan WHERE id = '" + plan + "'").contains("denied"));
        assertThat(fixture.strings("SELECT state FROM action WHERE plan_id = '" + plan + "'")).containsExactly("denied");
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u2bob/lifecycle/suspend")).isEmpty();
    }

    @Test
    void anIrreversibleActionNeedsTwoDistinctApprovers() throws Exception {
        String[] p = planAwaitingApproval("sid-leaver", "Leaver still active", "carol@example.com");
        UUID plan = UUID.fromString(p[0]);
        assertThat(fixture.strings("SELECT approvals_needed::text FROM approval_request WHERE plan_id = '" + plan + "'"))
                .containsExactly("2");
        SlackStandIn.send(hub, slack.click(plan, true, APPROVER_1, "alice", p[1]));
        await().atMost(Duration.ofSeconds(10)).until(() -> approvalAudits(p[2], "approval-recorded") == 1);
        // the same person again does not count twice
        SlackStandIn.send(hub, slack.click(plan, true, APPROVER_1, "alice", p[1]));
        await().atMost(Duration.ofSeconds(10)).until(() -> approvalAudits(p[2], "refused") == 1);
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u3carol/lifecycle/deactivate")).isEmpty();

        SlackStandIn.send(hub, slack.click(plan, true, APPROVER_2, "bob", p[1]));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fixture.okta.requests("POST", "/api/v1/users/00u3carol/lifecycle/deactivate.*").size() == 1);
        assertThat(approvalAudits(p[2], "approved")).isEqualTo(1);
    }

    @Test
    void anUndecidedPlanExpiresAndALateClickChangesNothing() throws Exception {
        String[] p = planAwaitingApproval("sid-expiring", "Expiring request", "alice@example.com");
        UUID plan = UUID.fromString(p[0]);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                fixture.strings("SELECT state FROM plan WHERE id = '" + plan + "'").contains("expired"));
        assertThat(approvalAudits(p[2], "expired")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.updatesFor(p[1]).stream()
                .anyMatch(u -> u.toString().toLowerCase().contains("expired")));

        SlackStandIn.send(hub, slack.click(plan, true, APPROVER_2, "bob", p[1]));
        await().atMost(Duration.ofSeconds(10)).until(() -> approvalAudits(p[2], "refused") == 1);
        assertThat(fixture.strings("SELECT state FROM action WHERE plan_id = '" + plan + "'")).containsExactly("expired");
        assertThat(fixture.okta.requests("POST", "/api/v1/users/00u1alice/lifecycle/suspend")).isEmpty();
        String log = hub.logText();
        assertThat(log.contains(SlackStandIn.BOT_TOKEN)).isFalse();
        assertThat(log.contains(SlackStandIn.SIGNING_SECRET)).isFalse();
    }
}
