package io.irhub.connector.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Vault's HTTP API as the connector uses it: a token per credential (an AppRole login, renewed or replaced before it
 * expires, or a given token), the namespace header, and calls retried on 429 (after {@code Retry-After}), 5xx
 * (a sealed Vault, a standby) and network errors.
 */
final class VaultClient {
    private static final Logger LOG = LoggerFactory.getLogger(VaultClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2);

    /** Vault's final answer to a call: 2xx, or a 4xx other than 429. */
    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        VaultError error() {
            return VaultError.from(body);
        }
    }

    /**
     * A token the connector logged in for.
     *
     * @param refreshAt when to renew or replace it (two thirds into its lease), or {@code null} if it never expires
     * @param expiresAt when Vault stops accepting it, or {@code null} if never
     * @param lease     the lease Vault granted last, to notice when a renewal was capped by the token's max TTL
     */
    private record Session(String token, Instant refreshAt, Instant expiresAt, boolean renewable, Duration lease) {
        static Session of(String token, Instant issuedAt, Duration lease, boolean renewable) {
            if (lease.isZero()) {
                return new Session(token, null, null, false, lease);
            }
            return new Session(token, issuedAt.plus(lease.multipliedBy(2).dividedBy(3)), issuedAt.plus(lease),
                    renewable, lease);
        }

        boolean fresh(Instant now) {
            return refreshAt == null || now.isBefore(refreshAt);
        }

        @Override
        public String toString() {
            return "Session[refreshAt=" + refreshAt + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final String instance;
    private final VaultConfig config;
    private final Clock clock;
    private final String userAgent;
    private final HttpClient http;
    private final Retry retry;
    private final Map<Credential, Session> sessions = new EnumMap<>(Credential.class);

    VaultClient(String instance, VaultConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.userAgent = context.userAgent();
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        this.retry = Retry.of("vault-" + instance, RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(config.maxRetries() + 1)
                .retryExceptions(IOException.class)
                .retryOnResult(this::worthRetrying)
                .intervalBiFunction(this::waitBeforeRetry)
                .build());
    }

    /**
     * Calls the API with the credential's token.
     *
     * @param path under {@code /v1/}, already encoded ({@code sys/leases/revoke})
     * @param body a JSON object, or {@code null} for none
     * @throws VaultFailure when no token could be had, or Vault kept answering 429 or 5xx, or could not be reached
     */
    Reply call(Credential credential, String method, String path, JsonNode body) throws VaultFailure {
        String token = token(credential);
        Reply reply = send(method, path, body, token);
        if (reply.status() == 403) {
            // Vault answers 403 both to a policy that does not allow the path and to a token it no longer knows
            // (revoked, or its Vault was restored from a backup): the next action logs in afresh.
            forget(credential);
        }
        return reply;
    }

    /**
     * For the self-check: logs the credential in afresh (an AppRole) or reads its token again (a file), then
     * {@code GET /v1/auth/token/lookup-self}, which Vault's default policy allows and which changes nothing.
     *
     * @throws VaultFailure as {@link #call}: the login refused, the token file unreadable, Vault unreachable
     */
    Reply lookupSelf(Credential credential) throws VaultFailure {
        forget(credential);
        return call(credential, "GET", "auth/token/lookup-self", null);
    }

    /**
     * {@code GET /v1/sys/health}, unauthenticated and without the namespace (it is the cluster's, not a
     * namespace's). Every state is asked to answer 200, so that a sealed or standby Vault is told by the body and
     * not retried as a 5xx.
     *
     * @throws VaultFailure when Vault could not be reached, or answered 429 or 5xx throughout
     */
    Reply health() throws VaultFailure {
        String what = "GET /v1/sys/health";
        URI uri = URI.create(config.address() + "/v1/sys/health?standbycode=200&performancestandbycode=200"
                + "&drsecondarycode=200&sealedcode=200&uninitcode=200&haunhealthycode=200&removedcode=200");
        HttpResponse<String> response = exchange(what, () -> HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .header("X-Vault-Request", "true")
                .GET()
                .build());
        LOG.debug("vault {}: {} -> {}", instance, what, response.statusCode());
        return new Reply(response.statusCode(), parse(response.body()));
    }

    private Reply send(String method, String path, JsonNode body, String token) throws VaultFailure {
        String what = method + " /v1/" + path;
        HttpResponse<String> response = exchange(what, () -> request(method, path, body, token));
        LOG.debug("vault {}: {} -> {}", instance, what, response.statusCode());
        return new Reply(response.statusCode(), parse(response.body()));
    }

    private HttpRequest request(String method, String path, JsonNode body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.address() + "/v1/" + path))
                .timeout(config.timeout())
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                // Vault Agent and Proxy listeners with require_request_header refuse requests without it
                .header("X-Vault-Request", "true");
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        if (config.namespace() != null) {
            request.header("X-Vault-Namespace", config.namespace());
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return request.build();
    }

    private synchronized void forget(Credential credential) {
        sessions.remove(credential);
    }

    private synchronized String token(Credential credential) throws VaultFailure {
        VaultAuth auth = config.auth(credential);
        if (auth instanceof VaultAuth.Token given) {
            return given.file().isPresent() ? readTokenFile(credential, given.file().get()) : given.token().reveal();
        }
        VaultAuth.AppRole appRole = (VaultAuth.AppRole) auth;
        Instant now = clock.instant();
        Session session = sessions.get(credential);
        if (session != null && session.fresh(now)) {
            return session.token();
        }
        // a renewal sent later than this could reach Vault after the token expired
        if (session != null && session.renewable() && now.plus(config.timeout()).isBefore(session.expiresAt())) {
            Optional<Session> renewed = renew(credential, session);
            if (renewed.isPresent()) {
                sessions.put(credential, renewed.get());
                return renewed.get().token();
            }
        }
        Session fresh = login(credential, appRole);
        sessions.put(credential, fresh);
        return fresh.token();
    }

    private Session login(Credential credential, VaultAuth.AppRole appRole) throws VaultFailure {
        Instant requestedAt = clock.instant();
        ObjectNode body = JSON.createObjectNode()
                .put("role_id", appRole.roleId())
                .put("secret_id", appRole.secretId().reveal());
        String which = "the " + credential.id() + " credential's AppRole (role id " + appRole.roleId() + ")";
        Reply reply = send("POST", "auth/approle/login", body, null);
        if (!reply.ok()) {
            Map<String, Object> details = reply.error().details(reply.status());
            details.put("role_id", appRole.roleId());
            throw VaultFailure.refused("Vault refused the login of " + which + " ("
                    + reply.error().describe(reply.status()) + "); check the role id and the secret id, and that the "
                    + "secret id has not expired or used up its secret_id_num_uses", details);
        }
        JsonNode auth = reply.body().path("auth");
        String token = text(auth, "client_token");
        if (token == null) {
            throw VaultFailure.failed("Vault's answer to the login of " + which + " has no auth.client_token",
                    Map.of("role_id", appRole.roleId()));
        }
        Duration lease = Duration.ofSeconds(auth.path("lease_duration").asLong(0));
        LOG.debug("vault {}: logged in {}, lease {} s, renewable {}", instance, which, lease.toSeconds(),
                auth.path("renewable").asBoolean(false));
        return Session.of(token, requestedAt, lease, auth.path("renewable").asBoolean(false));
    }

    /** Renews the token's own lease; empty when Vault will not, so the caller logs in instead. */
    private Optional<Session> renew(Credential credential, Session session) throws VaultFailure {
        Instant requestedAt = clock.instant();
        Reply reply = send("POST", "auth/token/renew-self", JSON.createObjectNode(), session.token());
        JsonNode auth = reply.body().path("auth");
        if (!reply.ok() || text(auth, "client_token") == null) {
            LOG.debug("vault {}: the {} token was not renewed ({}); logging in again", instance, credential.id(),
                    reply.error().describe(reply.status()));
            return Optional.empty();
        }
        Duration lease = Duration.ofSeconds(auth.path("lease_duration").asLong(0));
        // a shorter lease than before means the token reached its max TTL: the next refresh logs in instead
        boolean renewable = auth.path("renewable").asBoolean(false) && lease.compareTo(session.lease()) >= 0;
        LOG.debug("vault {}: renewed the {} token, lease {} s", instance, credential.id(), lease.toSeconds());
        return Optional.of(Session.of(text(auth, "client_token"), requestedAt, lease, renewable));
    }

    /** Reads a token file as {@code SecretResolver} does: one trailing newline dropped. */
    private String readTokenFile(Credential credential, Path file) throws VaultFailure {
        String value;
        try {
            value = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw VaultFailure.failed("cannot read the " + credential.id() + " token file " + file + " ("
                    + e.getClass().getSimpleName() + ")", Map.of("token_file", file.toString()));
        }
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
        }
        if (value.isBlank()) {
            throw VaultFailure.failed("the " + credential.id() + " token file " + file + " is empty",
                    Map.of("token_file", file.toString()));
        }
        return value;
    }

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, Callable<HttpRequest> request) throws VaultFailure {
        HttpResponse<String> response;
        try {
            response = retry.executeCallable(() -> http.send(request.call(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw VaultFailure.failed("cannot reach Vault at " + config.address().getHost() + " for " + what + " "
                    + attempts() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VaultFailure.failed("interrupted while calling Vault for " + what, Map.of());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // executeCallable declares Exception; the call throws nothing checked but the two above
            throw new IllegalStateException(e);
        }
        int status = response.statusCode();
        if (status == 429) {
            VaultError error = VaultError.from(parse(response.body()));
            Map<String, Object> details = error.details(status);
            response.headers().firstValue("Retry-After").ifPresent(r -> details.put("retry_after", r));
            Optional<Duration> wait = retryAfter(response);
            if (wait.isPresent() && wait.get().compareTo(config.maxRateLimitWait()) > 0) {
                throw VaultFailure.failed(String.format("Vault's rate limit quota refused %s and asks to retry in "
                                + "%d s, later than max-rate-limit-wait (%d s) allows", what, wait.get().toSeconds(),
                        config.maxRateLimitWait().toSeconds()), details);
            }
            throw VaultFailure.failed("Vault's rate limit quota still refused " + what + " " + attempts()
                    + " (" + error.describe(status) + ")", details);
        }
        if (status >= 500) {
            VaultError error = VaultError.from(parse(response.body()));
            String why = status == 503 ? "; Vault answers 503 when it is sealed, or when it is a standby that "
                    + "cannot serve the request: unseal it, or point address at the active node or its load balancer"
                    : "";
            throw VaultFailure.failed("Vault answered " + error.describe(status) + " to " + what + " " + attempts()
                    + why, error.details(status));
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
            // Vault rounds Retry-After down to whole seconds, so 0 means "within the second": back off instead
            return retryAfter(outcome.get()).filter(w -> !w.isZero()).orElse(backoff).toMillis();
        }
        return backoff.toMillis();
    }

    /**
     * Vault's rate limit quotas send {@code Retry-After} when {@code enable_rate_limit_response_headers} is on: whole
     * seconds in current versions, an HTTP date in older ones.
     */
    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(header.get());
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(header.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // an HTML error page from a proxy or load balancer: the status code says enough
            return MissingNode.getInstance();
        }
    }
}
