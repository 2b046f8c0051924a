package io.irhub.connector.onepassword;

import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TokenCache;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import io.irhub.connector.onepassword.OnePasswordPayloads.ApiError;
import io.irhub.connector.onepassword.OnePasswordPayloads.TokenGrant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The 1Password Users API as the connector uses it: access tokens from OAuth applications through the client
 * credentials grant, cached per application, and calls retried on 429 (after Retry-After), 5xx and network errors.
 */
final class OnePasswordClient {
    private static final Logger LOG = LoggerFactory.getLogger(OnePasswordClient.class);

    // a token is replaced this long before it expires (at most a tenth of its life), so none lapses between being
    // read from the cache and used
    private static final Duration TOKEN_REFRESH_MARGIN = Duration.ofSeconds(60);

    /** 1Password's final answer to a call: 2xx, or a 4xx other than 429. */
    record Reply(int status, String body) {
        ApiError error() {
            return ApiError.from(body);
        }
    }

    private final String instance;
    private final OnePasswordConfig config;
    private final Clock clock;
    private final VendorHttp http;
    private final TokenCache<Application, String> tokens;

    OnePasswordClient(String instance, OnePasswordConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.http = VendorHttp.builder("1Password").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .rateLimitWait(response -> response.statusCode() == 429
                        ? RateLimitHeaders.retryAfter(response, clock) : Optional.empty(), config.maxRateLimitWait())
                .build();
        this.tokens = new TokenCache<>(clock, TOKEN_REFRESH_MARGIN);
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
        HttpResponse<String> response = exchange(what, () -> http.request(config.url(pathAndQuery))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build());
        LOG.debug("onepassword {}: {} -> {}", instance, what, response.statusCode());
        if (response.statusCode() == 401) {
            // the token was revoked or the application deleted: the next action fetches a new one
            forget(app);
        }
        return new Reply(response.statusCode(), response.body());
    }

    private void forget(Application app) {
        tokens.forget(app);
    }

    /**
     * Asks 1Password for a new token for the application, as an action would, and caches it in place of the one
     * there was: the self-check tries the application's credentials as they are configured now.
     *
     * @throws OnePasswordFailure as {@link #call}: the token refused, or 1Password unreachable or rate-limiting
     */
    void newToken(Application app) throws OnePasswordFailure {
        tokens.renew(app, () -> requestToken(app));
    }

    private String token(Application app) throws OnePasswordFailure {
        return tokens.get(app, () -> requestToken(app));
    }

    private TokenCache.Grant<String> requestToken(Application app) throws OnePasswordFailure {
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
        LOG.debug("onepassword {}: new {} token for client {}, valid {} s", instance, app.id(),
                credentials.clientId(), lifetime.toSeconds());
        return new TokenCache.Grant<>(grant.accessToken(), lifetime);
    }

    private HttpRequest tokenRequest(OAuthApp credentials) {
        String basic = Base64.getEncoder().encodeToString(
                (credentials.clientId() + ":" + credentials.clientSecret().reveal()).getBytes(StandardCharsets.UTF_8));
        return http.request(config.tokenUrl())
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
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
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) throws OnePasswordFailure {
        HttpResponse<String> response;
        try {
            response = http.send(what, request);
        } catch (TransportFailure e) {
            throw OnePasswordFailure.failed(e.getMessage(), e.details());
        }
        int status = response.statusCode();
        if (status == 429) {
            Map<String, Object> details = new LinkedHashMap<>(ApiError.from(response.body()).details(status));
            response.headers().firstValue("Retry-After").ifPresent(value -> details.put("retry_after", value));
            Optional<Duration> tooLong = http.waitBeyondCap(response);
            if (tooLong.isPresent()) {
                throw OnePasswordFailure.failed(String.format("1Password rate-limited %s and asks to wait %d s, "
                                + "longer than max-rate-limit-wait (%d s) allows", what, tooLong.get().toSeconds(),
                        config.maxRateLimitWait().toSeconds()), details);
            }
            throw OnePasswordFailure.failed("1Password still rate-limited " + what + " " + http.attempts(), details);
        }
        if (status >= 500) {
            throw OnePasswordFailure.failed("1Password answered HTTP " + status + " to " + what + " " + http.attempts(),
                    ApiError.from(response.body()).details(status));
        }
        return response;
    }
}
