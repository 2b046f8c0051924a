package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TokenCache;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import io.irhub.connector.crowdstrike.CrowdStrikeConfig.Poll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Falcon API as the poller uses it: an OAuth 2.0 client-credentials token ({@code POST /oauth2/token}), cached
 * until shortly before it expires; alert ids from {@code GET /alerts/queries/alerts/v2}; alerts from
 * {@code POST /alerts/entities/alerts/v2}. Calls are retried on 5xx and network errors; a 429 ends the poll at once
 * with the wait CrowdStrike asked for, which the hub honours before polling again.
 */
final class FalconClient {
    private static final Logger LOG = LoggerFactory.getLogger(FalconClient.class);

    static final String TOKEN_PATH = "/oauth2/token";
    static final String QUERY_PATH = "/alerts/queries/alerts/v2";
    static final String ENTITIES_PATH = "/alerts/entities/alerts/v2";

    // a token is replaced this long before it expires (at most a tenth of its life), so none lapses between being
    // read from the cache and used; Falcon issues 30-minute tokens
    private static final Duration TOKEN_REFRESH_MARGIN = Duration.ofSeconds(60);
    private static final int MESSAGE_LIMIT = 200;

    /** Falcon's clouds as the token answer's X-CS-Region names them, and their API hosts. */
    private static final Map<String, String> REGION_HOSTS = Map.of(
            "us-1", "api.crowdstrike.com",
            "us-2", "api.us-2.crowdstrike.com",
            "eu-1", "api.eu-1.crowdstrike.com",
            "us-gov-1", "api.laggar.gcw.crowdstrike.com");

    private final String instance;
    private final Poll settings;
    private final Clock clock;
    private final VendorHttp http;
    private final TokenCache<String, String> token;
    private volatile String region;

    /** @param backoff the wait before the first retry; it doubles with each further one */
    FalconClient(String instance, Poll settings, Clock clock, String userAgent, Duration backoff) {
        this.instance = instance;
        this.settings = settings;
        this.clock = clock;
        // a 429 is not retried here: the poll ends with the wait asked for, which the hub honours
        this.http = VendorHttp.builder("CrowdStrike").timeout(settings.timeout()).userAgent(userAgent)
                .maxRetries(settings.maxRetries())
                .backoff(backoff)
                .retryStatus(status -> status >= 500)
                .build();
        this.token = new TokenCache<>(clock, TOKEN_REFRESH_MARGIN);
    }

    /** The composite ids of one page of alerts matching {@code filter}, in {@code sort} order. */
    List<String> alertIds(String filter, String sort, int offset, int limit) throws PollException {
        String query = "?filter=" + encode(filter) + "&sort=" + encode(sort) + "&limit=" + limit + "&offset=" + offset;
        String body = call("GET", QUERY_PATH + query, null, "GET " + QUERY_PATH);
        JsonNode resources = read(body, "GET " + QUERY_PATH).get("resources");
        List<String> ids = new ArrayList<>();
        if (resources != null && !resources.isNull()) {
            if (!resources.isArray()) {
                throw new PollException("CrowdStrike's answer to GET " + QUERY_PATH + " has no resources array");
            }
            for (JsonNode id : resources) {
                if (!id.isTextual() || id.textValue().isBlank()) {
                    throw new PollException("CrowdStrike's answer to GET " + QUERY_PATH
                            + " holds something other than composite ids");
                }
                ids.add(id.textValue());
            }
        }
        return ids;
    }

    /** The alerts with these composite ids, each as CrowdStrike's answer spelled it. */
    List<String> alerts(List<String> compositeIds) throws PollException {
        ObjectNode request = FalconPayloads.JSON.createObjectNode();
        ArrayNode ids = request.putArray("composite_ids");
        compositeIds.forEach(ids::add);
        String what = "POST " + ENTITIES_PATH;
        String body = call("POST", ENTITIES_PATH, request.toString(), what);
        try {
            return FalconPayloads.rawResources(body);
        } catch (io.irhub.connector.api.InvalidPayloadException e) {
            throw new PollException("CrowdStrike's answer to " + what + " is not the documented JSON: " + e.getMessage());
        }
    }

    /** Calls with a cached token; a 401 fetches a new token once (it may have been revoked) and calls again. */
    private String call(String method, String pathAndQuery, String json, String what) throws PollException {
        for (int attempt = 1; ; attempt++) {
            String bearer = token();
            HttpResponse<String> response = exchange(what, () -> {
                HttpRequest.Builder request = http.request(settings.url(pathAndQuery))
                        .header("Authorization", "Bearer " + bearer)
                        .header("Accept", "application/json");
                return (json == null ? request.GET()
                        : request.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))).build();
            });
            int status = response.statusCode();
            LOG.debug("crowdstrike {}: {} -> {}", instance, what, status);
            if (status / 100 == 2) {
                return response.body();
            }
            if (status == 401) {
                forgetToken();
                if (attempt == 1) {
                    continue;
                }
                throw new PollException("CrowdStrike refused a fresh access token for " + what + " (" + describe(response)
                        + "); check that API client " + settings.clientId() + " still exists" + regionHint());
            }
            if (status == 403) {
                throw new PollException("CrowdStrike denied " + what + " (" + describe(response) + "): API client "
                        + settings.clientId() + " needs the Alerts: Read scope" + regionHint());
            }
            throw failure(what, response);
        }
    }

    private void forgetToken() {
        token.forget(settings.clientId());
    }

    private String token() throws PollException {
        return token.get(settings.clientId(), this::requestToken);
    }

    private TokenCache.Grant<String> requestToken() throws PollException {
        String what = "POST " + TOKEN_PATH;
        HttpResponse<String> response = exchange(what, () -> http.request(settings.url(TOKEN_PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("client_id=" + encode(settings.clientId())
                        + "&client_secret=" + encode(settings.clientSecret().reveal())))
                .build());
        int status = response.statusCode();
        LOG.debug("crowdstrike {}: {} -> {}", instance, what, status);
        if (status == 400 || status == 401 || status == 403) {
            throw new PollException("CrowdStrike refused the client credentials of API client " + settings.clientId()
                    + " (" + describe(response) + "); check client-id and client-secret, and that base-url "
                    + settings.baseUrl() + " is the API client's cloud");
        }
        if (status / 100 != 2) {
            throw failure(what, response);
        }
        JsonNode grant = read(response.body(), what);
        JsonNode accessToken = grant.get("access_token");
        if (accessToken == null || !accessToken.isTextual() || accessToken.textValue().isBlank()) {
            throw new PollException("CrowdStrike's answer to " + what + " has no access_token");
        }
        Duration lifetime = Duration.ofSeconds(Math.max(0, grant.path("expires_in").asLong(0)));
        // CrowdStrike names the API client's cloud on the token answer; a refusal later can then point at it
        region = response.headers().firstValue("X-CS-Region").map(r -> r.trim().toLowerCase(Locale.ROOT)).orElse(null);
        LOG.debug("crowdstrike {}: new access token for API client {}, valid {} s", instance, settings.clientId(),
                lifetime.toSeconds());
        return new TokenCache.Grant<>(accessToken.textValue(), lifetime);
    }

    private String regionHint() {
        String expected = region == null ? null : REGION_HOSTS.get(region);
        return expected != null && !expected.equalsIgnoreCase(settings.baseUrl().getHost())
                ? " (the token answer names cloud " + region + ": is base-url https://" + expected + "?)" : "";
    }

    /** Sends with retries on 5xx and network errors; answers everything else, and the last 5xx. */
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) throws PollException {
        try {
            return http.send(what, request);
        } catch (TransportFailure e) {
            throw new PollException(e.getMessage());
        }
    }

    private PollException failure(String what, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 429) {
            Optional<Duration> wait = retryAfter(response);
            return new PollException("CrowdStrike rate-limited " + what + " (" + describe(response) + ")"
                    + wait.map(w -> "; it asks to wait " + w.toSeconds() + " s").orElse(""), wait.orElse(null));
        }
        if (status >= 500) {
            return new PollException("CrowdStrike answered " + what + " with " + describe(response) + " "
                    + http.attempts());
        }
        boolean query = what.endsWith(QUERY_PATH);
        return new PollException("CrowdStrike refused " + what + " (" + describe(response) + ")"
                + (query && status == 400 && settings.filter() != null ? "; check the filter (FQL)" : ""));
    }

    /**
     * How long CrowdStrike asks to wait: {@code X-RateLimit-RetryAfter} is the epoch second from which calls are
     * accepted again (as CrowdStrike's SDKs read it); {@code Retry-After} is delay-seconds or an HTTP-date. Times
     * are measured from the answer's {@code Date} when it has one, as clocks differ.
     */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<Duration> falcon = RateLimitHeaders.reset(response, "X-RateLimit-RetryAfter", clock);
        return falcon.isPresent() ? falcon : RateLimitHeaders.retryAfter(response, clock);
    }

    /** {@code HTTP 403: <CrowdStrike's first error message>}, with no credential in it. */
    private String describe(HttpResponse<String> response) {
        String message = null;
        try {
            JsonNode errors = FalconPayloads.JSON.readTree(response.body()).path("errors");
            if (errors.isArray() && !errors.isEmpty() && errors.get(0).path("message").isTextual()) {
                message = errors.get(0).path("message").textValue();
            }
        } catch (JsonProcessingException | RuntimeException e) {
            // a body that is not CrowdStrike's error JSON says nothing more than the status
        }
        if (message == null || message.isBlank()) {
            return "HTTP " + response.statusCode();
        }
        message = message.replace(settings.clientSecret().reveal(), "[secret]");
        Optional<String> current = token.peek(settings.clientId());
        if (current.isPresent()) {
            message = message.replace(current.get(), "[token]");
        }
        if (message.length() > MESSAGE_LIMIT) {
            message = message.substring(0, MESSAGE_LIMIT) + "...";
        }
        return "HTTP " + response.statusCode() + ": " + message;
    }

    private JsonNode read(String body, String what) throws PollException {
        try {
            JsonNode node = FalconPayloads.JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new PollException("CrowdStrike's answer to " + what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new PollException("CrowdStrike's answer to " + what + " is not valid JSON");
        }
    }

    /** Query values and form fields; a space becomes %20 and FQL's '+' (AND) stays encoded as %2B. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
