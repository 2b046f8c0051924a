package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.slack.api.app_backend.SlackSignature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Slack's Web API at the network edge (chat.postMessage, chat.update, response URLs) and a person clicking:
 * block_actions callbacks signed the way Slack signs them.
 */
final class SlackStandIn implements AutoCloseable {
    static final String BOT_TOKEN = "xoxb-1111111111-2222222222-hubTestBotTokenValue";
    static final String SIGNING_SECRET = "e2e0signing0secret0for0irhub0tests";
    static final String CHANNEL = "C0SOCAPPROVE";
    static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private long ts = 1764842400L;

    SlackStandIn() {
        server.start();
        server.stubFor(post(urlPathEqualTo("/api/chat.postMessage")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"" + CHANNEL + "\",\"ts\":\"{{randomValue length=6 type='NUMERIC'}}.000100\"}")
                .withTransformers("response-template")));
        server.stubFor(post(urlPathEqualTo("/api/chat.update")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"" + CHANNEL + "\",\"ts\":\"{{jsonPath request.body '$.ts'}}\"}")
                .withTransformers("response-template")));
        server.stubFor(post(urlPathMatching("/actions/.*")).willReturn(okJson("{\"ok\":true}")));
    }

    String apiBaseUrl() {
        return "http://127.0.0.1:" + server.port() + "/api";
    }

    List<LoggedRequest> calls(String path) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest()).filter(r -> r.getUrl().startsWith(path))
                .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    /** The posted message that carries this plan id in its buttons. */
    JsonNode postedFor(UUID planId) {
        return calls("/api/chat.postMessage").stream().map(SlackStandIn::json)
                .filter(m -> m.toString().contains(planId.toString())).findFirst().orElse(null);
    }

    List<JsonNode> updatesFor(String messageTs) {
        return calls("/api/chat.update").stream().map(SlackStandIn::json)
                .filter(m -> m.path("ts").asText().equals(messageTs)).toList();
    }

    static JsonNode json(LoggedRequest r) {
        try {
            return JSON.readTree(r.getBodyAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A block_actions payload as Slack sends it for a click on Approve or Deny. */
    String click(UUID planId, boolean approve, String userId, String userName, String messageTs) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "block_actions");
        p.putObject("user").put("id", userId).put("username", userName).put("name", userName).put("team_id", "T0ACME");
        p.put("api_app_id", "A0IRHUB");
        p.putObject("container").put("type", "message").put("message_ts", messageTs).put("channel_id", CHANNEL)
                .put("is_ephemeral", false);
        p.put("trigger_id", "8112345678901.9123456789012.0a1b2c3d4e5f");
        p.putObject("team").put("id", "T0ACME").put("domain", "acme");
        p.putObject("channel").put("id", CHANNEL).put("name", "identity-response");
        p.put("response_url", "http://127.0.0.1:" + server.port() + "/actions/T0ACME/" + (ts++) + "/r3sp0nse");
        ObjectNode action = p.putArray("actions").addObject();
        action.put("action_id", approve ? "irhub_approve" : "irhub_deny").put("block_id", "irhub_decision")
                .put("value", planId.toString()).put("type", "button").put("action_ts", Instant.now().getEpochSecond() + ".000100");
        return "payload=" + URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
    }

    /** Sends a body to the hub signed with {@code secret} at {@code timestamp}. */
    static HttpResponse<String> send(HubProcess hub, String body, long timestamp, String secret) throws Exception {
        String signature = new SlackSignature.Generator(secret).generate(String.valueOf(timestamp), body);
        return HubProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/slack/interactions"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", String.valueOf(timestamp))
                .header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(HubProcess hub, String body) throws Exception {
        return send(hub, body, Instant.now().getEpochSecond(), SIGNING_SECRET);
    }

    @Override
    public void close() {
        server.stop();
    }
}
