package io.irhub.connector.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.irhub.connector.api.ApprovalChannelException;
import io.irhub.connector.api.ConnectorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
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
    private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2);
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
    private final String userAgent;
    private final HttpClient http;

    SlackClient(String instance, SlackConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.userAgent = context.userAgent();
        // never follow redirects: a response URL's redirect must not lead the hub somewhere it refused to go
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
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
        HttpResponse<String> response = exchange(method, config.apiBaseUrl().getHost(), () -> request(uri, body)
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
        HttpResponse<String> response = exchange(what, responseUrl.getHost(), () -> request(responseUrl, body).build());
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
        return HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, String host, Callable<HttpRequest> request) {
        Retry retry = Retry.of("slack-" + instance, RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(config.maxRetries() + 1)
                .retryExceptions(IOException.class)
                .retryOnResult(SlackClient::worthRetrying)
                .intervalBiFunction((attempt, outcome) -> waitBeforeRetry(what, attempt, outcome))
                .build());
        HttpResponse<String> response;
        try {
            response = retry.executeCallable(() -> http.send(request.call(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            // the exception's own message may quote the URL, which for a response URL is a credential
            throw new ApprovalChannelException("cannot reach Slack at " + host + " for " + what + " " + attempts()
                    + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApprovalChannelException("interrupted while calling Slack for " + what);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // executeCallable declares Exception; the call throws nothing checked but the two above
            throw new IllegalStateException(e);
        }
        int status = response.statusCode();
        if (status == 429) {
            Optional<Duration> wait = retryAfter(response);
            if (wait.isPresent() && wait.get().compareTo(MAX_RETRY_AFTER) > 0) {
                throw new ApprovalChannelException("Slack rate-limited " + what + " and asks to wait "
                        + wait.get().toSeconds() + " s, longer than the connector waits ("
                        + MAX_RETRY_AFTER.toSeconds() + " s)");
            }
            throw new ApprovalChannelException("Slack still rate-limited " + what + " " + attempts());
        }
        if (status >= 500) {
            throw new ApprovalChannelException("Slack answered HTTP " + status + " to " + what + " " + attempts());
        }
        return response;
    }

    private String attempts() {
        int n = config.maxRetries() + 1;
        return n == 1 ? "after 1 attempt" : "after " + n + " attempts";
    }

    private static boolean worthRetrying(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 429) {
            return retryAfter(response).map(wait -> wait.compareTo(MAX_RETRY_AFTER) <= 0).orElse(true);
        }
        return status >= 500;
    }

    private long waitBeforeRetry(String what, int attempt, Either<Throwable, HttpResponse<String>> outcome) {
        Duration wait = Duration.ofMillis(BACKOFF.apply(attempt));
        String why;
        if (outcome.isRight()) {
            int status = outcome.get().statusCode();
            why = "HTTP " + status;
            if (status == 429) {
                wait = retryAfter(outcome.get()).orElse(wait);
            }
        } else {
            why = outcome.getLeft().getClass().getSimpleName();
        }
        LOG.info("slack {}: {} failed ({}), retry {} of {} in {} ms", instance, what, why, attempt,
                config.maxRetries(), wait.toMillis());
        return wait.toMillis();
    }

    /** Slack's {@code Retry-After} is in whole seconds. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
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
