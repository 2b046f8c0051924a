package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalChannelException;
import io.irhub.connector.api.ApprovalStatus;
import io.irhub.connector.api.ApprovalStatus.Decision;
import io.irhub.connector.api.Interaction;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.MessageRef;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The channel against a WireMock stand-in for Slack's Web API, fed with Slack's documented answers. */
class SlackChannelTest {
    private static final String POST = "/chat.postMessage";
    private static final String UPDATE = "/chat.update";
    private static final String RESPONSE_PATH = "/actions/T0F9E8D7C6B/8112345678901/Zq3xR7vW9kLmN2pB5sT8yU1c";
    private static final MessageRef MESSAGE = new MessageRef(SlackStubs.CHANNEL, SlackStubs.MESSAGE_TS);

    @RegisterExtension
    static final WireMockExtension slack = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private ApprovalChannel open() {
        return SlackStubs.open(slack.baseUrl());
    }

    private static void stubPostOk() {
        slack.stubFor(post(urlPathEqualTo(POST)).willReturn(okJson(SlackStubs.fixture("chat_postMessage_ok.json"))));
    }

    private static JsonNode onlyRequestTo(String path) {
        List<LoggedRequest> requests = slack.findAll(postRequestedFor(urlPathEqualTo(path)));
        assertThat(requests).hasSize(1);
        return SlackStubs.body(requests.get(0));
    }

    /** The approve fixture, its response_url pointing at {@code baseUrl}. */
    private static Interaction interaction(String responseUrl) throws InvalidPayloadException {
        ObjectNode payload = SlackStubs.fixtureJson("block_actions_approve.json");
        payload.put("response_url", responseUrl);
        return SlackStubs.open(slack.baseUrl()).interaction(SlackStubs.signed(payload));
    }

    @Test
    void postSendsTheBlocksWithTheBotTokenAndReturnsSlacksChannelAndTs() {
        stubPostOk();

        MessageRef ref = open().post(SlackStubs.request());

        assertThat(ref).isEqualTo(MESSAGE);
        slack.verify(postRequestedFor(urlPathEqualTo(POST))
                .withHeader("Authorization", equalTo("Bearer " + SlackStubs.BOT_TOKEN))
                .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withHeader("User-Agent", equalTo("irhub/test")));
        JsonNode body = onlyRequestTo(POST);
        assertThat(body.get("channel").asText()).isEqualTo(SlackStubs.CHANNEL);
        assertThat(body.get("text").asText()).startsWith("Approval needed: Okta impossible travel");
        assertThat(body.get("unfurl_links").asBoolean()).isFalse();
        assertThat(body.get("unfurl_media").asBoolean()).isFalse();
        assertThat(body.has("link_names")).isFalse();
        assertThat(body.has("parse")).isFalse();
        JsonNode actions = body.get("blocks").findParents("block_id").stream()
                .filter(b -> b.get("type").asText().equals("actions")).findFirst().orElseThrow();
        assertThat(actions.findValuesAsText("action_id")).containsExactly("irhub_approve", "irhub_deny");
        assertThat(actions.findValuesAsText("value")).containsOnly(SlackStubs.PLAN.toString());
        assertThat(body.toString()).contains(":warning: *irreversible*");
    }

    @Test
    void aHostileDetectionReachesSlackEscaped() {
        stubPostOk();

        open().post(SlackStubs.request(SlackStubs.HOSTILE, "https://evil.example/x|Okta login"));

        JsonNode body = onlyRequestTo(POST);
        // the link is shown as a link to where it really goes; the detection's own "link" is inert text
        assertThat(SlackStubs.texts(body)).noneMatch(t -> t.contains("<!channel>")
                        || t.contains("<https://evil.example|Okta login>") || t.contains("<@U999>"))
                .anyMatch(t -> t.contains("&lt;!channel&gt; &lt;https://evil.example|Okta login&gt;"))
                .anyMatch(t -> t.contains("<https://evil.example/x%7COkta%20login|open in splunk-prod (evil.example)>"));
    }

    @Test
    void okFalseBecomesAnExceptionWithSlacksErrorCodeAndAHint() {
        slack.stubFor(post(urlPathEqualTo(POST)).willReturn(okJson(SlackStubs.fixture("error_not_in_channel.json"))));

        assertThatThrownBy(() -> open().post(SlackStubs.request()))
                .isInstanceOf(ApprovalChannelException.class)
                .hasMessageContaining("Slack refused chat.postMessage: not_in_channel")
                .hasMessageContaining("invite the bot")
                .hasMessageNotContaining(SlackStubs.BOT_TOKEN);
        // an answer is an answer: not retried
        slack.verify(1, postRequestedFor(urlPathEqualTo(POST)));
    }

    @Test
    void invalidBlocksCarrySlacksOwnExplanation() {
        slack.stubFor(post(urlPathEqualTo(POST)).willReturn(okJson(SlackStubs.fixture("error_invalid_blocks.json"))));

        assertThatThrownBy(() -> open().post(SlackStubs.request()))
                .hasMessageContaining("invalid_blocks")
                .hasMessageContaining("[json-pointer:/blocks/1/text/text]");
    }

    @Test
    void aNon2xxAnswerBecomesAnException() {
        slack.stubFor(post(urlPathEqualTo(POST)).willReturn(aResponse().withStatus(404).withBody("<html>no</html>")));

        assertThatThrownBy(() -> open().post(SlackStubs.request()))
                .isInstanceOf(ApprovalChannelException.class)
                .hasMessage("Slack answered HTTP 404 to chat.postMessage");
    }

    @Test
    void a429IsRetriedAfterRetryAfter() {
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("rate").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("open").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("rate").whenScenarioStateIs("open")
                .willReturn(okJson(SlackStubs.fixture("chat_postMessage_ok.json"))));

        long started = System.nanoTime();
        MessageRef ref = open().post(SlackStubs.request());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(ref).isEqualTo(MESSAGE);
        slack.verify(2, postRequestedFor(urlPathEqualTo(POST)));
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aRetryAfterLongerThanTheConnectorWaitsFailsAtOnce() {
        slack.stubFor(post(urlPathEqualTo(POST))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));

        assertThatThrownBy(() -> open().post(SlackStubs.request()))
                .hasMessageContaining("rate-limited chat.postMessage and asks to wait 120 s");
        slack.verify(1, postRequestedFor(urlPathEqualTo(POST)));
    }

    @Test
    void fiveHundredsAndNetworkErrorsAreRetriedUpToMaxRetries() {
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("reset").willReturn(aResponse().withStatus(503)));
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("flaky").whenScenarioStateIs("reset")
                .willSetStateTo("up").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson(SlackStubs.fixture("chat_postMessage_ok.json"))));

        assertThat(open().post(SlackStubs.request())).isEqualTo(MESSAGE);
        slack.verify(3, postRequestedFor(urlPathEqualTo(POST)));
    }

    @Test
    void fiveHundredsPastMaxRetriesFail() {
        slack.stubFor(post(urlPathEqualTo(POST)).willReturn(aResponse().withStatus(500)));

        assertThatThrownBy(() -> open().post(SlackStubs.request()))
                .hasMessage("Slack answered HTTP 500 to chat.postMessage after 3 attempts");
        slack.verify(3, postRequestedFor(urlPathEqualTo(POST)));
    }

    @Test
    void aTimeoutIsRetried() {
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("fast").willReturn(okJson(SlackStubs.fixture("chat_postMessage_ok.json"))
                        .withFixedDelay(1500)));
        slack.stubFor(post(urlPathEqualTo(POST)).inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(okJson(SlackStubs.fixture("chat_postMessage_ok.json"))));

        ApprovalChannel channel = SlackStubs.open(slack.baseUrl(), SlackStubs.clickClock(), Map.of("timeout", "300ms"));

        assertThat(channel.post(SlackStubs.request())).isEqualTo(MESSAGE);
        slack.verify(2, postRequestedFor(urlPathEqualTo(POST)));
    }

    @Test
    void updateAfterApprovalShowsWhoAndWhenAndHasNoButtons() {
        slack.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(okJson(SlackStubs.fixture("chat_update_ok.json"))));
        ApprovalStatus approved = new ApprovalStatus("approved",
                List.of(new Decision("U0A1B2C3D4E", "dana.scully", true, Instant.parse("2026-11-20T09:01:02Z"))),
                List.of("suspend user:alice@example.com on okta-main: succeeded"));

        open().update(MESSAGE, SlackStubs.request(), approved);

        slack.verify(postRequestedFor(urlPathEqualTo(UPDATE))
                .withHeader("Authorization", equalTo("Bearer " + SlackStubs.BOT_TOKEN)));
        JsonNode body = onlyRequestTo(UPDATE);
        assertThat(body.get("channel").asText()).isEqualTo(SlackStubs.CHANNEL);
        assertThat(body.get("ts").asText()).isEqualTo(SlackStubs.MESSAGE_TS);
        assertThat(body.get("text").asText()).startsWith("Approved: Okta impossible travel");
        assertThat(body.get("blocks").findValuesAsText("type")).doesNotContain("actions", "button");
        assertThat(body.toString()).contains("approved by dana.scully (U0A1B2C3D4E)",
                "suspend user:alice@example.com on okta-main: succeeded");
    }

    @Test
    void updateWhileAwaitingASecondApprovalKeepsTheButtons() {
        slack.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(okJson(SlackStubs.fixture("chat_update_ok.json"))));

        open().update(MESSAGE, SlackStubs.request(), new ApprovalStatus("awaiting-approval",
                List.of(new Decision("U0A1B2C3D4E", "dana.scully", true, Instant.parse("2026-11-20T09:01:02Z"))),
                List.of()));

        JsonNode body = onlyRequestTo(UPDATE);
        assertThat(body.get("blocks").findValuesAsText("action_id")).containsExactly("irhub_approve", "irhub_deny");
        assertThat(body.toString()).contains("1 of 2 approvals given");
    }

    @Test
    void updateOfADeletedMessageFailsWithSlacksErrorCode() {
        slack.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(okJson("{\"ok\":false,\"error\":\"message_not_found\"}")));

        assertThatThrownBy(() -> open().update(MESSAGE, SlackStubs.request(),
                new ApprovalStatus("expired", List.of(), List.of())))
                .hasMessageContaining("Slack refused chat.update: message_not_found");
    }

    @Test
    void tellPostsAnEphemeralReplyToTheResponseUrlWithoutTheToken() throws InvalidPayloadException {
        slack.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(aResponse().withStatus(200).withBody("ok")));
        Interaction clicked = interaction(slack.baseUrl() + RESPONSE_PATH);

        open().tell(clicked, "Approved <for now> & recorded");

        LoggedRequest reply = slack.findAll(postRequestedFor(urlPathEqualTo(RESPONSE_PATH))).get(0);
        assertThat(reply.containsHeader("Authorization")).isFalse();
        JsonNode body = SlackStubs.body(reply);
        assertThat(body.get("response_type").asText()).isEqualTo("ephemeral");
        assertThat(body.get("replace_original").asBoolean(true)).isFalse();
        assertThat(body.get("text").asText()).isEqualTo("Approved &lt;for now&gt; &amp; recorded");
    }

    @Test
    void tellToAnExpiredResponseUrlFails() throws InvalidPayloadException {
        slack.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(aResponse().withStatus(404).withBody("expired_url")));
        Interaction clicked = interaction(slack.baseUrl() + RESPONSE_PATH);

        assertThatThrownBy(() -> open().tell(clicked, "Approved"))
                .isInstanceOf(ApprovalChannelException.class)
                .hasMessageContaining("HTTP 404 expired_url")
                .hasMessageNotContaining(RESPONSE_PATH);
    }

    @Test
    void tellRefusesAResponseUrlPointingAnywhereButSlack() throws InvalidPayloadException {
        ApprovalChannel channel = open();
        int otherPort = slack.getPort() == 65535 ? 65534 : slack.getPort() + 1;
        for (String elsewhere : List.of("https://evil.example" + RESPONSE_PATH,
                "https://hooks.slack.com.evil.example" + RESPONSE_PATH,
                "https://hooks.slack.com@evil.example" + RESPONSE_PATH,
                "http://hooks.slack.com" + RESPONSE_PATH,
                "http://127.0.0.1:" + otherPort + RESPONSE_PATH,
                "http://169.254.169.254/latest/meta-data/")) {
            Interaction clicked = interaction(elsewhere);

            assertThatThrownBy(() -> channel.tell(clicked, "Approved"))
                    .as(elsewhere)
                    .isInstanceOf(ApprovalChannelException.class)
                    .hasMessageContaining("not replying to Interaction[plan " + SlackStubs.PLAN)
                    .hasMessageNotContaining(RESPONSE_PATH);
        }
        slack.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void noSecretOrResponseUrlReachesTheLogs() throws InvalidPayloadException {
        String responseUrl = slack.baseUrl() + RESPONSE_PATH;
        try (OutputCapture capture = OutputCapture.start()) {
            stubPostOk();
            slack.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(okJson("{\"ok\":false,\"error\":\"invalid_auth\"}")));
            slack.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(aResponse().withStatus(503)));
            ApprovalChannel channel = open();

            channel.post(SlackStubs.request());
            assertThatThrownBy(() -> channel.update(MESSAGE, SlackStubs.request(),
                    new ApprovalStatus("denied", List.of(), List.of())))
                    .hasMessageNotContaining(SlackStubs.BOT_TOKEN);
            Interaction clicked = interaction(responseUrl);
            assertThatThrownBy(() -> channel.tell(clicked, "Approved")).hasMessageNotContaining(RESPONSE_PATH);
            assertThatThrownBy(() -> channel.tell(interaction("https://evil.example" + RESPONSE_PATH), "Approved"))
                    .hasMessageNotContaining(RESPONSE_PATH);
            ObjectNode forged = SlackStubs.fixtureJson("block_actions_approve.json");
            assertThatThrownBy(() -> channel.interaction(SlackStubs.signed(SlackStubs.form(forged),
                    SlackStubs.CLICKED_AT, "not-the-signing-secret")))
                    .hasMessageNotContaining(SlackStubs.SIGNING_SECRET);

            assertThat(capture.text()).contains("slack slack-test").contains("retry 1 of 2");
            capture.assertContainsNone(List.of(SlackStubs.BOT_TOKEN, SlackStubs.SIGNING_SECRET, RESPONSE_PATH,
                    "Zq3xR7vW9kLmN2pB5sT8yU1c"));
        }
    }
}
