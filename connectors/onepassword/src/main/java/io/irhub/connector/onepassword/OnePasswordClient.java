package io.irhub.connector.onepassword;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.onepassword.OnePasswordPayloads.ApiError;
import io.irhub.connector.onepassword.OnePasswordPayloads.TokenGrant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The 1Password Users API as the connector uses it: access tokens from OAuth applications through the client
 * credentials grant, cached per application, and calls retried on 429 (after Retry-After), 5xx and network errors.
 */
final class OnePasswordClient {
    private static final Logger LOG = LoggerFactory.getLogger(OnePasswordClient.class);

    // a token is replaced this long before it expires (at most a tenth of its life), so none lapses between being
    // read from the cache and used
    private static final Duration TOKEN_REFRESH_MARGIN = Duration.ofSeconds(60);
    private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2);

    /** 1Password's final answer to a call: 2xx, or a 4xx other than 429. */
    record Reply(int status, String body) {
        ApiError error() {
            return ApiError.from(body);
        }
    }

    private record AccessToken(String value, Instant refreshAt) {
        @Override
        public String toString() {
            return "AccessToken[refreshAt=" + refreshAt + "]";
        }
    }

    private final String instance;
    private final OnePasswordConfig config;
    private final Clock clock;
    private final String userAgent;
    private final HttpClient http;
    private final Retry retry;
    private final Map<Application, AccessToken> tokens = new EnumMap<>(Application.class);

    OnePasswordClient(String instance, OnePasswordConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.userAgent = context.userAgent();
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        this.retry = Retry.of("onepassword-" + instance, RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(config.maxRetries() + 1)
                .retryExceptions(IOException.class)
                .retryOnResult(this::worthRetrying)
                .intervalBiFunction(this::waitBeforeRetry)
                .build());
    }

    /**
     * Calls the Users API with the application's token.
     *
     * @param pathAndQuery already encoded ({@code /v1beta1/accounts/…/users/…:suspend})
     * @throws OnePasswordFailure when no token could be had, or 1Password kept answering 429 or 5xx, or could not be
     *                            reached
     */
    Reply call(String method, String pathAndQuery, Application app) throws OnePasswordFailure {
        String token = token(app);
        String what = method + " " + pathAndQuery;
        HttpResponse<String> response = exchange(what, () -> HttpRequest.newBuilder(config.url(pathAndQuery))
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build());
        LOG.debug("onepassword {}: {} -> {}", instance, what, response.statusCode());
        if (response.statusCode() == 401) {
            // the token was revoked or the application deleted: the next action fetches a new one
            forget(app);
        }
        return new Reply(response.statusCode(), response.body());
    }

    private synchronized void forget(Application app) {
        tokens.remove(app);
    }

    /**
     * Asks 1Password for a new token for the application, as an action would, and caches it in place of the one
     * there was: the self-check tries the application's credentials as they are configured now.
     *
     * @throws OnePasswordFailure as {@link #call}: the token refused, or 1Password unreachable or rate-limiting
     */
    synchronized void newToken(Application app) throws OnePasswordFailure {
        tokens.remove(app);
        token(app);
    }

    private synchronized String token(Application app) throws OnePasswordFailure {
        Instant requestedAt = clock.instant();
        AccessToken cached = tokens.get(app);
        if (cached != null && requestedAt.isBefore(cached.refreshAt())) {
            return cached.value();
        }
        OAuthApp credentials = config.app(app);
        HttpResponse<String> response = exchange("the " + app.id() + " token request", () -> tokenRequest(credentials));
        if (response.statusCode() != 200) {
            throw tokenRefused(app, credentials, response.statusCode(), ApiError.from(response.body()));
        }
        TokenGrant grant = OnePasswordPayloads.read(response.body(), TokenGrant.class,
                "the " + app.id() + " token request");
        if (grant.accessToken() == null || grant.accessToken().isBlank()) {
            throw OnePasswordFailure.failed("1Password's token answer for the " + app.id() + " application has no "
                    + "access_token", Map.of("client_id", credentials.clientId()));
        }
        Duration lifetime = Duration.ofSeconds(Math.max(0, grant.expiresIn()));
        Duration margin = lifetime.dividedBy(10).compareTo(TOKEN_REFRESH_MARGIN) < 0
                ? lifetime.dividedBy(10) : TOKEN_REFRESH_MARGIN;
        tokens.put(app, new AccessToken(grant.accessToken(), requestedAt.plus(lifetime).minus(margin)));
        LOG.debug("onepassword {}: new {} token for client {}, valid {} s", instance, app.id(),
                credentials.clientId(), lifetime.toSeconds());
        return grant.accessToken();
    }

    private HttpRequest tokenRequest(OAuthApp credentials) {
        String basic = Base64.getEncoder().encodeToString(
                (credentials.clientId() + ":" + credentials.clientSecret().reveal()).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(config.tokenUrl())
                .timeout(config.timeout())
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
    }

    private OnePasswordFailure tokenRefused(Application app, OAuthApp credentials, int status, ApiError error) {
        Map<String, Object> details = new LinkedHashMap<>(error.details(status));
        details.put("client_id", credentials.clientId());
        StringBuilder message = new StringBuilder("1Password refused an access token to the ").append(app.id())
                .append(" OAuth application (client id ").append(credentials.clientId()).append("; ")
                .append(error.describe(status)).append(')');
        if (status == 400 || status == 401 || status == 403) {
            message.append("; check the ").append(app.id()).append("-client-id and ").append(app.id())
                    .append("-client-secret, and that the application is still active in 1Password");
        }
        return OnePasswordFailure.refused(message.toString(), details);
    }

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, Callable<HttpRequest> request) throws OnePasswordFailure {
        HttpResponse<String> response;
        try {
            response = retry.executeCallable(() -> http.send(request.call(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw OnePasswordFailure.failed("cannot reach 1Password at " + config.baseUrl().getHost() + " for " + what
                    + " " + attempts() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OnePasswordFailure.failed("interrupted while calling 1Password for " + what, Map.of());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // executeCallable declares Exception; the call throws nothing checked but the two above
            throw new IllegalStateException(e);
        }
        int status = response.statusCode();
        if (status == 429) {
            Map<String, Object> details = new LinkedHashMap<>(ApiError.from(response.body()).details(status));
            response.headers().firstValue("Retry-After").ifPresent(value -> details.put("retry_after", value));
            Optional<Duration> wait = retryAfter(response);
            if (wait.isPresent() && wait.get().compareTo(config.maxRateLimitWait()) > 0) {
                throw OnePasswordFailure.failed(String.format("1Password rate-limited %s and asks to wait %d s, "
                                + "longer than max-rate-limit-wait (%d s) allows", what, wait.get().toSeconds(),
                        config.maxRateLimitWait().toSeconds()), details);
            }
            throw OnePasswordFailure.failed("1Password still rate-limited " + what + " " + attempts(), details);
        }
        if (status >= 500) {
            throw OnePasswordFailure.failed("1Password answered HTTP " + status + " to " + what + " " + attempts(),
                    ApiError.from(response.body()).details(status));
        }
        return response;
    }

    private String attempts() {
        int n = config.maxRetries() + 1;
        return n == 1 ? "after 1 attempt" : "after " + n + " attempts";
    }

    private boolean worthRetrying(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 429) {
            return retryAfter(response).map(w -> w.compareTo(config.maxRateLimitWait()) <= 0).orElse(true);
        }
        return status >= 500;
    }

    private long waitBeforeRetry(int attempt, Either<Throwable, HttpResponse<String>> outcome) {
        Duration backoff = Duration.ofMillis(BACKOFF.apply(attempt));
        if (outcome.isRight() && outcome.get().statusCode() == 429) {
            return retryAfter(outcome.get()).orElse(backoff).toMillis();
        }
        return backoff.toMillis();
    }

    /**
     * Retry-After as delay-seconds or as an HTTP-date; a date is measured from 1Password's own Date header when
     * there is one, as clocks differ.
     */
    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.get()))));
        } catch (NumberFormatException notSeconds) {
            Optional<Instant> until = httpDate(header.get());
            if (until.isEmpty()) {
                return Optional.empty();
            }
            Instant now = response.headers().firstValue("Date").flatMap(OnePasswordClient::httpDate)
                    .orElseGet(clock::instant);
            Duration wait = Duration.between(now, until.get());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
