package io.irhub.connector.sentinel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TokenCache;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Microsoft Graph as the poller uses it: an app-only access token from Microsoft Entra ID (OAuth 2.0 client
 * credentials, {@code POST {login}/{tenant}/oauth2/v2.0/token}), cached until shortly before it expires, and GETs
 * carrying it. 5xx answers other than 503, and network errors, are retried a few times at once; 429 and 503 end the
 * poll with the vendor's Retry-After, so the hub, not this thread, does the waiting.
 */
final class GraphClient {
    private static final Logger LOG = LoggerFactory.getLogger(GraphClient.class);
    static final String SCOPE = "https://graph.microsoft.com/.default";

    // a token is replaced this long before it expires (at most a tenth of its life), so none lapses between being
    // read from the cache and used
    private static final Duration TOKEN_REFRESH_MARGIN = Duration.ofSeconds(60);
    private static final int MESSAGE_LIMIT = 200;

    /** A 4xx answer (other than 429) to a Graph GET. */
    static final class Refused extends PollException {
        private final int status;

        Refused(String message, int status) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final String instance;
    private final SentinelConfig.Graph config;
    private final Clock clock;
    private final VendorHttp http;
    private final VendorHttp entra;
    private final TokenCache<String, String> token;

    GraphClient(String instance, SentinelConfig.Graph config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.http = VendorHttp.builder("Microsoft Graph").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .retryStatus(status -> status >= 500 && status != 503)
                .build();
        this.entra = http.named("Microsoft Entra ID");
        this.token = new TokenCache<>(clock, TOKEN_REFRESH_MARGIN);
    }

    /**
     * GETs a Graph URL with the app's token and reads the JSON answer.
     *
     * @throws Refused       on a 4xx other than 429, naming what to check for 401 and 403
     * @throws PollException on 429 or 503 (with Retry-After), on other 5xx or network errors after the retries, or
     *                       when the answer is not JSON
     */
    JsonNode get(URI url) throws PollException {
        String accessToken = token();
        String what = "GET " + url.getRawPath();
        HttpResponse<String> response = exchange(http, what, () -> http.request(url)
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json")
                .GET()
                .build());
        int status = response.statusCode();
        LOG.debug("{}: {} -> {}", instance, what, status);
        if (status == 401) {
            // revoked, or for another audience: the next poll fetches a new one
            forgetToken();
            throw new Refused("Microsoft Graph refused the access token of client " + config.clientId() + " (HTTP 401"
                    + graphError(response.body()) + "); check that tenant-id and client-id name the app registration "
                    + "and that graph-base-url is the Graph its tokens are issued for", status);
        }
        if (status == 403) {
            throw new Refused("Microsoft Graph denied " + what + " to client " + config.clientId() + " (HTTP 403"
                    + graphError(response.body()) + "); grant the app registration the SecurityIncident.Read.All "
                    + "application permission, with admin consent", status);
        }
        if (status >= 400) {
            throw new Refused("Microsoft Graph answered HTTP " + status + graphError(response.body()) + " to " + what,
                    status);
        }
        try {
            return SentinelPayloads.JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new PollException("Microsoft Graph's answer to " + what + " is not JSON");
        }
    }

    private void forgetToken() {
        token.forget(config.clientId());
    }

    private String token() throws PollException {
        return token.get(config.clientId(), this::requestToken);
    }

    private TokenCache.Grant<String> requestToken() throws PollException {
        HttpResponse<String> response = exchange(entra, "the token request", this::tokenRequest);
        int status = response.statusCode();
        JsonNode answer = tree(response.body());
        if (status != 200) {
            StringBuilder message = new StringBuilder("Microsoft Entra ID refused a token to client ")
                    .append(config.clientId()).append(" in tenant ").append(config.tenantId())
                    .append(" (HTTP ").append(status).append(entraError(answer)).append(')');
            if (status == 400 || status == 401) {
                message.append("; check tenant-id, client-id and client-secret, and that the secret has not expired");
            }
            throw new PollException(message.toString());
        }
        String value = answer.path("access_token").asText("");
        if (value.isBlank()) {
            throw new PollException("Microsoft Entra ID's token answer for client " + config.clientId()
                    + " has no access_token");
        }
        Duration lifetime = Duration.ofSeconds(Math.max(0, answer.path("expires_in").asLong(0)));
        LOG.debug("{}: new Graph token for client {}, valid {} s", instance, config.clientId(),
                lifetime.toSeconds());
        return new TokenCache.Grant<>(value, lifetime);
    }

    private HttpRequest tokenRequest() {
        String form = "grant_type=client_credentials"
                + "&client_id=" + form(config.clientId())
                + "&client_secret=" + form(config.clientSecret().reveal())
                + "&scope=" + form(SCOPE);
        return http.request(config.tokenUrl())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Sends with retries; answers anything but 429, 503 and exhausted 5xx, which end in a PollException. */
    private HttpResponse<String> exchange(VendorHttp service, String what, Supplier<HttpRequest> request)
            throws PollException {
        HttpResponse<String> response;
        try {
            response = service.send(what, request);
        } catch (TransportFailure e) {
            throw new PollException(e.getMessage());
        }
        int status = response.statusCode();
        if (status == 429 || status == 503) {
            Optional<Duration> wait = RateLimitHeaders.retryAfter(response, clock);
            throw new PollException(service.service() + " throttled " + what + " (HTTP " + status + ")"
                    + wait.map(w -> "; it asks to wait " + w.toSeconds() + " s").orElse(""), wait.orElse(null));
        }
        if (status >= 500) {
            throw new PollException(service.service() + " answered HTTP " + status + " to " + what + " "
                    + service.attempts());
        }
        return response;
    }

    /** {@code ", Forbidden: message"} from Graph's {@code {"error": {"code", "message"}}}, or nothing. */
    private static String graphError(String body) {
        JsonNode error = tree(body).path("error");
        String code = error.path("code").asText("");
        String message = shorten(error.path("message").asText(""));
        return (code.isBlank() ? "" : " " + code) + (message.isBlank() ? "" : ": " + message);
    }

    /**
     * {@code " invalid_client, AADSTS7000215: Invalid client secret provided. …"} from OAuth's {@code error} and
     * Entra's {@code error_description}, cut before the trace and correlation ids.
     */
    private static String entraError(JsonNode answer) {
        String error = answer.path("error").asText("");
        String description = answer.path("error_description").asText("");
        int trace = description.indexOf(" Trace ID:");
        description = shorten(trace < 0 ? description : description.substring(0, trace)).strip();
        return (error.isBlank() ? "" : " " + error) + (description.isBlank() ? "" : ", " + description);
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= MESSAGE_LIMIT ? oneLine : oneLine.substring(0, MESSAGE_LIMIT) + "...";
    }

    private static JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return SentinelPayloads.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // an HTML error page from a proxy: the status code says enough
            return MissingNode.getInstance();
        }
    }
}
