package io.irhub.connector.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ApprovalChannelException;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Slack's HTTP APIs as the connector uses them: Web API methods with the bot token, and interactions' response URLs
 * (which need no token and never get one). Calls are retried on 429 (after {@code Retry-After}), on 5xx and on
 * network errors, with exponential backoff (200 ms, 400 ms, 800 ms, …).
 *
 * <p>Slack answers most refusals with HTTP 200 and {@code {"ok":false,"error":"…"}}; those are not retried. Neither the
 * token nor a response URL ever appears in a log line or an exception message.
 */
final class SlackClient {
    private static final Logger LOG = LoggerFactory.getLogger(SlackClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // a longer wait would hold the hub's worker; the hub retries the whole step later instead
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);
    private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{1,64}");

    /** What a Web API error code usually means for this connector. */
    private static final Map<String, String> HINTS = Map.of(
            "not_in_channel", "invite the bot to the channel (/invite @<app name>)",
            "channel_not_found", "check that channel is the channel's id (C…) and that the bot was invited to it",
            "missing_scope", "give the bot token the scope chat:write and reinstall the app",
            "invalid_auth", "check bot-token (OAuth & Permissions, Bot User OAuth Token)",
            "not_authed", "check bot-token (OAuth & Permissions, Bot User OAuth Token)",
            "token_revoked", "the bot token was revoked: reinstall the app and update bot-token",
            "account_inactive", "the bot token belongs to a deactivated app or user: reinstall the app",
            "is_archived", "the channel is archived: unarchive it or configure another channel",
            "message_not_found", "the approval message was deleted from the channel",
            "cant_update_message", "only messages the bot posted can be updated");

    private final String instance;
    private final SlackConfig config;
    // follows no redirect: a response URL's redirect must not lead the hub somewhere it refused to go
    private final VendorHttp http;

    SlackClient(String instance, SlackConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.http = VendorHttp.builder("Slack").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .rateLimitWait(response -> response.statusCode() == 429
                        ? RateLimitHeaders.retryAfter(response, context.clock()) : Optional.empty(), MAX_RETRY_AFTER)
                .onRetry(retrying -> LOG.info("slack {}: {} failed ({}), retry {} of {} in {} ms", instance,
                        retrying.what(), retrying.reason(), retrying.retry(), retrying.maxRetries(),
                        retrying.delay().toMillis()))
                .build();
    }

    /**
     * Calls a Web API method with the bot token.
     *
     * @return Slack's answer, whose {@code ok} is true
     * @throws ApprovalChannelException with Slack's error code (and what it usually means) when Slack refused, or
     *                                  when it kept answering 429 or 5xx, or could not be reached
     */
    JsonNode call(String method, ObjectNode arguments) {
        URI uri = URI.create(config.apiBaseUrl() + "/" + method);
        String body = write(arguments);
        HttpResponse<String> response = exchange(method, () -> request(uri, body)
                .header("Authorization", "Bearer " + config.botToken().reveal())
                .build());
        JsonNode answer = parse(response.body());
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new ApprovalChannelException("Slack answered HTTP " + status + " to " + method
                    + errorCode(answer, response.body()).map(code -> " (" + code + ")").orElse(""));
        }
        if (!answer.path("ok").asBoolean(false)) {
            String code = errorCode(answer, null).orElse("no error code");
            StringBuilder message = new StringBuilder("Slack refused ").append(method).append(": ").append(code);
            Optional.ofNullable(HINTS.get(code)).ifPresent(hint -> message.append("; ").append(hint));
            String details = StreamSupport.stream(answer.path("response_metadata").path("messages").spliterator(), false)
                    .map(JsonNode::asText).limit(5).collect(Collectors.joining("; "));
            if (!details.isEmpty()) {
                message.append(" (").append(details).append(')');
            }
            throw new ApprovalChannelException(message.toString());
        }
        LOG.debug("slack {}: {} -> ok", instance, method);
        return answer;
    }

    /**
     * Posts a message to an interaction's response URL, which authorizes by itself: no token is sent.
     *
     * @throws ApprovalChannelException when Slack refused it (an expired or used-up URL) or could not be reached
     */
    void respond(URI responseUrl, ObjectNode message) {
        String what = "the reply to the interaction's response_url";
        String body = write(message);
        HttpResponse<String> response = exchange(what, () -> request(responseUrl, body).build());
        JsonNode answer = parse(response.body());
        int status = response.statusCode();
        // Slack answers a response URL with plain "ok" or with {"ok":true}
        if (status / 100 != 2 || (answer.has("ok") && !answer.path("ok").asBoolean(false))) {
            throw new ApprovalChannelException("Slack refused " + what + " (HTTP " + status
                    + errorCode(answer, response.body()).map(code -> " " + code).orElse("") + ")");
        }
        LOG.debug("slack {}: {} -> HTTP {}", instance, what, status);
    }

    private HttpRequest.Builder request(URI uri, String body) {
        return http.request(uri)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    /**
     * Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. A
     * transport failure names the host only: a response URL's path is a credential.
     */
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) {
        HttpResponse<String> response;
        try {
            response = http.send(what, request);
        } catch (TransportFailure e) {
            throw new ApprovalChannelException(e.getMessage());
        }
        int status = response.statusCode();
        if (status == 429) {
            Optional<Duration> tooLong = http.waitBeyondCap(response);
            if (tooLong.isPresent()) {
                throw new ApprovalChannelException("Slack rate-limited " + what + " and asks to wait "
                        + tooLong.get().toSeconds() + " s, longer than the connector waits ("
                        + MAX_RETRY_AFTER.toSeconds() + " s)");
            }
            throw new ApprovalChannelException("Slack still rate-limited " + what + " " + http.attempts());
        }
        if (status >= 500) {
            throw new ApprovalChannelException("Slack answered HTTP " + status + " to " + what + " " + http.attempts());
        }
        return response;
    }

    /** Slack's {@code error} field, else the body when it is a bare error code ({@code expired_url}). */
    private static Optional<String> errorCode(JsonNode answer, String rawBody) {
        String error = answer.path("error").asText("");
        if (ERROR_CODE.matcher(error).matches()) {
            return Optional.of(error);
        }
        if (rawBody != null && ERROR_CODE.matcher(rawBody.trim()).matches()) {
            return Optional.of(rawBody.trim());
        }
        return Optional.empty();
    }

    private static String write(ObjectNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // "ok" from a response URL, or an HTML error page from a proxy: the status code says enough
            return MissingNode.getInstance();
        }
    }
}
