package io.irhub.connector.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.http.RateLimitHeaders;
import io.irhub.connector.api.http.TransportFailure;
import io.irhub.connector.api.http.VendorHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Vault's HTTP API as the connector uses it: a token per credential (an AppRole login, renewed or replaced before it
 * expires, or a given token), the namespace header, and calls retried on 429 (after {@code Retry-After}), 5xx
 * (a sealed Vault, a standby) and network errors.
 */
final class VaultClient {
    private static final Logger LOG = LoggerFactory.getLogger(VaultClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

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
    private final VendorHttp http;
    private final Map<Credential, Session> sessions = new EnumMap<>(Credential.class);

    VaultClient(String instance, VaultConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.http = VendorHttp.builder("Vault").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .rateLimitWait(this::rateLimitWait, config.maxRateLimitWait())
                .build();
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
        HttpResponse<String> response = exchange(what, () -> http.request(uri)
                .header("Accept", "application/json")
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
        HttpRequest.Builder request = http.request(URI.create(config.address() + "/v1/" + path))
                .header("Accept", "application/json")
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
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) throws VaultFailure {
        HttpResponse<String> response;
        try {
            response = http.send(what, request);
        } catch (TransportFailure e) {
            throw VaultFailure.failed(e.getMessage(), e.details());
        }
        int status = response.statusCode();
        if (status == 429) {
            VaultError error = VaultError.from(parse(response.body()));
            Map<String, Object> details = error.details(status);
            response.headers().firstValue("Retry-After").ifPresent(r -> details.put("retry_after", r));
            Optional<Duration> tooLong = http.waitBeyondCap(response);
            if (tooLong.isPresent()) {
                throw VaultFailure.failed(String.format("Vault's rate limit quota refused %s and asks to retry in "
                                + "%d s, later than max-rate-limit-wait (%d s) allows", what, tooLong.get().toSeconds(),
                        config.maxRateLimitWait().toSeconds()), details);
            }
            throw VaultFailure.failed("Vault's rate limit quota still refused " + what + " " + http.attempts()
                    + " (" + error.describe(status) + ")", details);
        }
        if (status >= 500) {
            VaultError error = VaultError.from(parse(response.body()));
            String why = status == 503 ? "; Vault answers 503 when it is sealed, or when it is a standby that "
                    + "cannot serve the request: unseal it, or point address at the active node or its load balancer"
                    : "";
            throw VaultFailure.failed("Vault answered " + error.describe(status) + " to " + what + " "
                    + http.attempts() + why, error.details(status));
        }
        return response;
    }

    /**
     * A 429's wait: Vault's rate limit quotas send {@code Retry-After} when {@code enable_rate_limit_response_headers}
     * is on, rounded down to whole seconds, so 0 means "within the second" and the backoff applies instead.
     */
    private Optional<Duration> rateLimitWait(HttpResponse<?> response) {
        return response.statusCode() != 429 ? Optional.empty()
                : RateLimitHeaders.retryAfter(response, clock).filter(wait -> !wait.isZero());
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
