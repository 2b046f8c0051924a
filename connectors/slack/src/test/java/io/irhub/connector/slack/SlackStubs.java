package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.slack.api.app_backend.SlackSignature;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalRequest.ProposedAction;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Verb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Slack as the tests see it: the app's credentials, its documented payloads ({@code src/test/resources/slack/}), and
 * callbacks signed the way Slack signs them (with slack-app-backend's generator).
 */
final class SlackStubs {
    static final String BOT_TOKEN = "xoxb-1234567890-0987654321-TeStBoTtOkEnVaLuE";
    // Slack's published test vector secret (slackapi/java-slack-sdk SlackSignatureTest)
    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String CHANNEL = "C0123ABCDEF";
    static final String MESSAGE_TS = "1764842400.000200";
    static final UUID PLAN = UUID.fromString("6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c");
    /** When the fixtures' clicks happened; interaction tests fix the hub's clock here. */
    static final long CLICKED_AT = 1764842461L;
    static final String HOSTILE = "<!channel> <https://evil.example|Okta login>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackStubs() {
    }

    static Map<String, String> environment() {
        return Map.of("SLACK_BOT_TOKEN", BOT_TOKEN, "SLACK_SIGNING_SECRET", SIGNING_SECRET);
    }

    static Map<String, Object> config(String apiBaseUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put("bot-token", "${env:SLACK_BOT_TOKEN}");
        config.put("signing-secret", "${env:SLACK_SIGNING_SECRET}");
        config.put("channel", CHANNEL);
        config.put("api-base-url", apiBaseUrl);
        config.put("timeout", "2s");
        config.put("max-retries", "2");
        return config;
    }

    static ConnectorConfig parse(Map<String, Object> raw) {
        return new SlackConnector().configDef().parse("slack-test", raw, SecretResolver.of(environment()));
    }

    static ApprovalChannel open(String apiBaseUrl, Clock clock, Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(config(apiBaseUrl));
        raw.putAll(changes);
        return new SlackConnector().open("slack-test", parse(raw), new ConnectorContext(clock, "irhub/test"));
    }

    static ApprovalChannel open(String apiBaseUrl) {
        return open(apiBaseUrl, clickClock(), Map.of());
    }

    static Clock clickClock() {
        return Clock.fixed(Instant.ofEpochSecond(CLICKED_AT), ZoneOffset.UTC);
    }

    /** A plan that suspends one user and deactivates another (irreversible), named by a hostile detection. */
    static ApprovalRequest request(String detection, String link) {
        List<ProposedAction> actions = List.of(
                new ProposedAction(Verb.SUSPEND, "okta-main", Identity.user("alice@example.com")),
                new ProposedAction(Verb.DEACTIVATE, "okta-main", Identity.user("<@U999> bob@example.com")));
        return new ApprovalRequest(PLAN, UUID.fromString("0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"), "splunk-prod",
                detection, Severity.HIGH, link, "contain-impossible-travel", actions,
                List.of("mode is approve", "deactivate is irreversible"),
                Instant.parse("2026-11-20T10:15:30Z"), 2);
    }

    static ApprovalRequest request() {
        return request("Okta impossible travel", "https://splunk.example.com/app/search/@go?sid=scheduler_abc&x=1");
    }

    static String fixture(String name) {
        try (InputStream in = SlackStubs.class.getResourceAsStream("/slack/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode fixtureJson(String name) {
        try {
            return (ObjectNode) JSON.readTree(fixture(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String form(JsonNode payload) {
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** A callback as Slack sends it: signed over {@code v0:timestamp:body} with the app's signing secret. */
    static InboundRequest signed(String body, long timestamp, String secret) {
        String signature = new SlackSignature.Generator(secret).generate(String.valueOf(timestamp), body);
        return new InboundRequest(null, Map.of(
                "Content-Type", "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp", String.valueOf(timestamp),
                "X-Slack-Signature", signature), body.getBytes(StandardCharsets.UTF_8));
    }

    static InboundRequest signed(JsonNode payload) {
        return signed(form(payload), CLICKED_AT, SIGNING_SECRET);
    }

    static JsonNode body(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every string value anywhere in a JSON tree, for checks that hold for all text a message carries. */
    static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collect(child, out));
    }
}
