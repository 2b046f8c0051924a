package io.irhub.connector.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.irhub.connector.api.ConnectorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A SCIM service provider's HTTP API as the connector uses it: each call carries the bearer token of one credential
 * and is retried on 429 (after Retry-After), 5xx, timeouts and network errors. Only reads and {@code replace} PATCHes
 * are sent, which are idempotent, so a retry after a lost answer changes nothing twice.
 */
final class ScimClient {
    private static final Logger LOG = LoggerFactory.getLogger(ScimClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCIM_JSON = "application/scim+json";
    private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2);

    /** The server's final answer to a call: 2xx, or a 4xx other than 429. */
    record Reply(int status, JsonNode body) {
    }

    private final String instance;
    private final ScimConfig config;
    private final Clock clock;
    private final String userAgent;
    private final HttpClient http;
    private final Retry retry;

    ScimClient(String instance, ScimConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.userAgent = context.userAgent();
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        this.retry = Retry.of("scim-" + instance, RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(config.maxRetries() + 1)
                .retryExceptions(IOException.class)
                .retryOnResult(this::worthRetrying)
                .intervalBiFunction(this::waitBeforeRetry)
                .build());
    }

    /** @param pathAndQuery below the base URL, already encoded ({@code /Users?filter=userName%20eq%20%22x%22}) */
    Reply get(String pathAndQuery, Credential credential) throws ScimFailure {
        return call("GET", pathAndQuery, null, credential);
    }

    Reply patch(String path, JsonNode body, Credential credential) throws ScimFailure {
        return call("PATCH", path, body.toString(), credential);
    }

    /** @throws ScimFailure when the server kept answering 429 or 5xx, or could not be reached in time */
    private Reply call(String method, String pathAndQuery, String body, Credential credential) throws ScimFailure {
        String what = method + " " + config.baseUrl().getRawPath() + pathOnly(pathAndQuery);
        HttpResponse<String> response = exchange(what, () -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.baseUrl() + pathAndQuery))
                    .timeout(config.timeout())
                    .header("Authorization", "Bearer " + config.token(credential).reveal())
                    .header("Accept", SCIM_JSON)
                    .header("User-Agent", userAgent);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", SCIM_JSON).method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            return request.build();
        });
        LOG.debug("scim {}: {} with the {} token -> {}", instance, what, credential.id(), response.statusCode());
        return new Reply(response.statusCode(), parse(response.body()));
    }

    @FunctionalInterface
    private interface RequestFactory {
        HttpRequest build();
    }

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, RequestFactory request) throws ScimFailure {
        HttpResponse<String> response;
        try {
            response = retry.executeCallable(() -> http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (HttpTimeoutException e) {
            throw ScimFailure.failed("the SCIM server at " + config.baseUrl().getHost() + " did not answer " + what
                    + " within " + config.timeout().toMillis() + " ms " + attempts(), Map.of());
        } catch (IOException e) {
            throw ScimFailure.failed("cannot reach the SCIM server at " + config.baseUrl().getHost() + " for " + what
                    + " " + attempts() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ScimFailure.failed("interrupted while calling the SCIM server for " + what, Map.of());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // executeCallable declares Exception; the call throws nothing checked but the ones above
            throw new IllegalStateException(e);
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            Map<String, Object> details = ScimError.from(parse(response.body())).details(status);
            response.headers().firstValue("Retry-After").ifPresent(v -> details.put("retry_after", v));
            Optional<Duration> wait = retryAfter(response);
            if (wait.isPresent() && wait.get().compareTo(config.maxRateLimitWait()) > 0) {
                throw ScimFailure.failed(String.format("the SCIM server answered HTTP %d to %s and asked to retry in "
                                + "%d s, later than max-rate-limit-wait (%d s) allows", status, what,
                        wait.get().toSeconds(), config.maxRateLimitWait().toSeconds()), details);
            }
            throw ScimFailure.failed("the SCIM server answered HTTP " + status + " to " + what + " " + attempts(),
                    details);
        }
        return response;
    }

    private String attempts() {
        int n = config.maxRetries() + 1;
        return n == 1 ? "after 1 attempt" : "after " + n + " attempts";
    }

    private boolean worthRetrying(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status != 429 && status < 500) {
            return false;
        }
        return retryAfter(response).map(w -> w.compareTo(config.maxRateLimitWait()) <= 0).orElse(true);
    }

    private long waitBeforeRetry(int attempt, Either<Throwable, HttpResponse<String>> outcome) {
        Duration backoff = Duration.ofMillis(BACKOFF.apply(attempt));
        if (outcome.isRight()) {
            return retryAfter(outcome.get()).orElse(backoff).toMillis();
        }
        return backoff.toMillis();
    }

    /** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, the latter measured from the server's Date. */
    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> value = response.headers().firstValue("Retry-After").map(String::trim);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.get()))));
        } catch (NumberFormatException e) {
            // not delay-seconds: an HTTP-date
        }
        Optional<Instant> at = httpDate(value.get());
        if (at.isEmpty()) {
            return Optional.empty();
        }
        Instant now = response.headers().firstValue("Date").flatMap(ScimClient::httpDate).orElseGet(clock::instant);
        Duration wait = Duration.between(now, at.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Filters carry people's names: messages name the endpoint, not the query. */
    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // an HTML error page from a proxy: the status code says enough
            return MissingNode.getInstance();
        }
    }
}
