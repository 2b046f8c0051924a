package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Slack approval Kamelet against a stand-in Web API answering chat.postMessage as Slack documents it. */
class SlackApprovalKameletTest {
    private static final String BOT_TOKEN = "xoxb-1234567890-0987654321-TeStBoTtOkEnVaLuE";

    @RegisterExtension
    static final WireMockExtension SLACK = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String ROUTES = """
            - route:
                from:
                  uri: direct:approval
                  steps:
                    - to: kamelet:slack-approval-action
            """;

    private static final String REQUEST = """
            {"plan_id": "6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c",
             "correlation_id": "0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
             "source_instance": "splunk-prod",
             "detection": "<!channel> Okta impossible travel",
             "severity": "high",
             "link": "https://splunk.example.com/app/search/@go?sid=scheduler_abc",
             "policy": "contain-impossible-travel",
             "actions": [{"verb": "suspend", "target": "okta-main", "identity": {"kind": "user", "login": "alice@example.com"}},
                         {"verb": "deactivate", "target": "okta-main", "identity": {"login": "bob@example.com"}}],
             "reasons": ["mode is approval", "deactivate is irreversible"],
             "deadline": "2026-11-20T10:15:30Z",
             "approvals_needed": 2}
            """;

    @AfterAll
    static void noTokenInLogs() {
        SecretsInLogs.assertAbsent(List.of(BOT_TOKEN));
    }

    private static Map<String, String> properties() {
        return Map.of(
                "camel.kamelet.slack-approval-action.botToken", BOT_TOKEN,
                "camel.kamelet.slack-approval-action.channel", "C0123ABCDEF",
                // plain http is allowed to a loopback address only, for tests like this one
                "camel.kamelet.slack-approval-action.apiBaseUrl", SLACK.baseUrl(),
                "camel.kamelet.slack-approval-action.maxRetries", "0");
    }

    @Test
    void postsTheRequestWithApproveAndDenyButtons() throws Exception {
        SLACK.stubFor(post(urlPathEqualTo("/chat.postMessage")).willReturn(okJson(Fixtures.text("slack/chat_postMessage_ok.json"))));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            JsonNode posted = Fixtures.json(camel.producer().requestBody("direct:approval", REQUEST, String.class));

            assertThat(posted.path("channel").asText()).isEqualTo("C0123ABCDEF");
            assertThat(posted.path("id").asText()).isEqualTo("1764842400.000200");
        }
        SLACK.verify(postRequestedFor(urlPathEqualTo("/chat.postMessage"))
                .withHeader("Authorization", equalTo("Bearer " + BOT_TOKEN)));
        LoggedRequest request = SLACK.findAll(postRequestedFor(urlPathEqualTo("/chat.postMessage"))).get(0);
        JsonNode message = Fixtures.json(request.getBodyAsString());
        assertThat(message.path("channel").asText()).isEqualTo("C0123ABCDEF");
        String blocks = message.path("blocks").toString();
        assertThat(blocks).contains("irhub_approve", "irhub_deny", "6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c")
                // the detection's text is escaped, so it cannot notify the channel
                .contains("&lt;!channel&gt;").doesNotContain("<!channel>");
    }

    @Test
    void aRequestWithoutActionsIsRefusedBeforeSlackIsCalled() throws Exception {
        ObjectNode request = (ObjectNode) Fixtures.json(REQUEST);
        request.putArray("actions");
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            assertThatThrownBy(() -> camel.producer().requestBody("direct:approval", request.toString()))
                    .hasStackTraceContaining("actions must be a non-empty array");
        }
        assertThat(SLACK.getAllServeEvents()).isEmpty();
    }
}
