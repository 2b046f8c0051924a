package io.irhub.connector.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A SCIM service provider's HTTP API as the connector uses it: each call carries the bearer token of one credential
 * and is retried on 429 (after Retry-After), 5xx, timeouts and network errors. Only reads and {@code replace} PATCHes
 * are sent, which are idempotent, so a retry after a lost answer changes nothing twice.
 */
final class ScimClient {
    private static final Logger LOG = LoggerFactory.getLogger(ScimClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCIM_JSON = "application/scim+json";

    /** The server's final answer to a call: 2xx, or a 4xx other than 429. */
    record Reply(int status, JsonNode body) {
    }

    private final String instance;
    private final ScimConfig config;
    private final VendorHttp http;

    ScimClient(String instance, ScimConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        // a 5xx's Retry-After (a 503 during maintenance) is honoured as a 429's is
        this.http = VendorHttp.builder("the SCIM server").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .rateLimitWait(response -> RateLimitHeaders.retryAfter(response, context.clock()),
                        config.maxRateLimitWait())
                .build();
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
            HttpRequest.Builder request = http.request(URI.create(config.baseUrl() + pathAndQuery))
                    .header("Authorization", "Bearer " + config.token(credential).reveal())
                    .header("Accept", SCIM_JSON);
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

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) throws ScimFailure {
        HttpResponse<String> response;
        try {
            response = http.send(what, request);
        } catch (TransportFailure e) {
            throw ScimFailure.failed(e.getMessage(), e.details());
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            Map<String, Object> details = ScimError.from(parse(response.body())).details(status);
            response.headers().firstValue("Retry-After").ifPresent(v -> details.put("retry_after", v));
            Optional<Duration> tooLong = http.waitBeyondCap(response);
            if (tooLong.isPresent()) {
                throw ScimFailure.failed(String.format("the SCIM server answered HTTP %d to %s and asked to retry in "
                                + "%d s, later than max-rate-limit-wait (%d s) allows", status, what,
                        tooLong.get().toSeconds(), config.maxRateLimitWait().toSeconds()), details);
            }
            throw ScimFailure.failed("the SCIM server answered HTTP " + status + " to " + what + " "
                    + http.attempts(), details);
        }
        return response;
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
