package io.irhub.connector.okta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.irhub.connector.api.ConnectorContext;
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
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Okta's HTTP API as the connector uses it: access tokens from service apps through {@code private_key_jwt}, cached
 * per credential, and calls retried on 429 (after the rate limit resets), 5xx and network errors.
 *
 * <p>A service app may require DPoP (RFC 9449): its token request then needs a proof, and Okta answers the first
 * proof with {@code use_dpop_nonce} and a nonce to put in the next one. The client sends proofs from the start when
 * {@code dpop} is configured, else from the moment Okta asks for them (and from then on for that app). A DPoP token
 * goes out as {@code Authorization: DPoP <token>} with a fresh proof per request that also binds the token
 * ({@code ath}).
 */
final class OktaClient {
    private static final Logger LOG = LoggerFactory.getLogger(OktaClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(5);
    // a token is replaced this long before it expires (at most a tenth of its life), so none lapses between being
    // read from the cache and used
    private static final Duration TOKEN_REFRESH_MARGIN = Duration.ofSeconds(60);
    // X-Rate-Limit-Reset is in whole seconds; Okta's SDKs also wait one second past it
    private static final Duration RATE_LIMIT_MARGIN = Duration.ofSeconds(1);
    // no proof -> invalid_dpop_proof, proof -> use_dpop_nonce, proof with the nonce -> token
    private static final int MAX_TOKEN_REQUESTS = 3;
    private static final String DPOP_NONCE = "DPoP-Nonce";
    private static final String USE_DPOP_NONCE = "use_dpop_nonce";
    private static final String INVALID_DPOP_PROOF = "invalid_dpop_proof";

    /**
     * Okta's final answer to a call: 2xx, or a 4xx other than 429.
     *
     * @param challenge the {@code WWW-Authenticate} header of a 401 or 403 ({@code error="insufficient_scope"}), or
     *                  {@code null}
     */
    record Reply(int status, JsonNode body, String challenge) {
        /** Okta's API refused the token for lacking a scope the call needs. */
        boolean insufficientScope() {
            return challenge != null && challenge.contains("insufficient_scope");
        }
    }

    /**
     * @param dpop  bound to the instance's DPoP key ({@code token_type} DPoP), so every use needs a proof
     * @param scope the scopes Okta granted ({@code scope} of its answer, space-separated), or {@code null}
     */
    private record AccessToken(String value, boolean dpop, String scope) {
        String authorization() {
            return (dpop ? "DPoP " : "Bearer ") + value;
        }

        @Override
        public String toString() {
            return "AccessToken[dpop=" + dpop + ", scope=" + scope + "]";
        }
    }

    /**
     * What a token request got, for the self-check; never the token itself.
     *
     * @param scope the scopes Okta granted ({@code scope} of its answer, space-separated), or {@code null}
     * @param dpop  whether the token is DPoP-bound
     */
    record Grant(String scope, boolean dpop) {
        boolean grants(String wanted) {
            return scope != null && java.util.Arrays.asList(scope.trim().split("\\s+")).contains(wanted);
        }
    }

    private final String instance;
    private final OktaConfig config;
    private final Clock clock;
    private final URI tokenUrl;
    private final VendorHttp http;
    private final TokenCache<Credential, AccessToken> tokens;
    private final Dpop dpop;
    // the client ids of the apps Okta asked for DPoP proofs (guarded by this)
    private final Set<String> dpopApps = new HashSet<>();
    // the last DPoP-Nonce of the token endpoint and of the API: they are two servers, each with nonces of its own
    private volatile String tokenNonce;
    private volatile String apiNonce;

    OktaClient(String instance, OktaConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.clock = context.clock();
        this.tokenUrl = URI.create(config.orgUrl() + "/oauth2/v1/token");
        this.http = VendorHttp.builder("Okta").timeout(config.timeout()).userAgent(context.userAgent())
                .maxRetries(config.maxRetries())
                .rateLimitWait(this::rateLimitWait, config.maxRateLimitWait())
                .build();
        this.tokens = new TokenCache<>(clock, TOKEN_REFRESH_MARGIN);
        this.dpop = Dpop.generate(clock);
    }

    /**
     * Calls the API with the credential's token.
     *
     * @param pathAndQuery already encoded ({@code /api/v1/users/jane%40example.com})
     * @throws OktaFailure when no token could be had, or Okta kept answering 429 or 5xx, or could not be reached
     */
    Reply call(String method, String pathAndQuery, Credential credential) throws OktaFailure {
        AccessToken token = token(credential);
        URI uri = URI.create(config.orgUrl() + pathAndQuery);
        String what = method + " " + pathAndQuery;
        HttpResponse<String> response = send(what, method, uri, token);
        if (token.dpop() && askedForApiNonce(response)) {
            // Okta's API wants a nonce of its own in the proof and gave it with the refusal: once more with it
            LOG.debug("okta {}: {} -> 401 use_dpop_nonce, sending the proof again with the nonce", instance, what);
            response = send(what, method, uri, token);
        }
        LOG.debug("okta {}: {} -> {}", instance, what, response.statusCode());
        if (response.statusCode() == 401) {
            // the token was revoked or the app's key rotated: the next action fetches a new one
            forget(credential);
        }
        return new Reply(response.statusCode(), parse(response.body()),
                String.join(", ", response.headers().allValues("WWW-Authenticate")));
    }

    private HttpResponse<String> send(String what, String method, URI uri, AccessToken token) throws OktaFailure {
        HttpResponse<String> response = exchange(what, () -> {
            HttpRequest.Builder request = http.request(uri)
                    .header("Authorization", token.authorization())
                    .header("Accept", "application/json")
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (token.dpop()) {
                // a new proof per attempt: a proof's jti is single-use
                request.header("DPoP", dpop.proof(method, uri, apiNonce, token.value()));
            }
            if (method.equals("POST")) {
                request.header("Content-Type", "application/json");
            }
            return request.build();
        });
        response.headers().firstValue(DPOP_NONCE).ifPresent(nonce -> apiNonce = nonce);
        return response;
    }

    /** A 401 whose {@code WWW-Authenticate: DPoP error="use_dpop_nonce"} came with a {@code DPoP-Nonce}. */
    private static boolean askedForApiNonce(HttpResponse<String> response) {
        return response.statusCode() == 401
                && response.headers().firstValue(DPOP_NONCE).isPresent()
                && response.headers().allValues("WWW-Authenticate").stream()
                .anyMatch(challenge -> challenge.contains(USE_DPOP_NONCE));
    }

    private void forget(Credential credential) {
        tokens.forget(credential);
    }

    /**
     * Asks Okta for a new token for the credential, as an action would (its app, its scope, DPoP when asked for),
     * and caches it in place of the one there was: the self-check tries the credential as it is configured now.
     *
     * @throws OktaFailure as {@link #call}: the token refused (with {@code oauth_error} in its details), or Okta
     *                     unreachable or rate-limiting
     */
    synchronized Grant newToken(Credential credential) throws OktaFailure {
        AccessToken token = tokens.renew(credential, () -> requestToken(credential));
        return new Grant(token.scope(), token.dpop());
    }

    private synchronized AccessToken token(Credential credential) throws OktaFailure {
        return tokens.get(credential, () -> requestToken(credential));
    }

    // synchronized (through token() and newToken()) for dpopApps
    private TokenCache.Grant<AccessToken> requestToken(Credential credential) throws OktaFailure {
        ServiceApp app = config.app(credential);
        boolean withProof = config.dpop() || dpopApps.contains(app.clientId());
        HttpResponse<String> response;
        JsonNode body;
        for (int sent = 1; ; sent++) {
            boolean proof = withProof;
            response = exchange("the " + credential.id() + " token request",
                    () -> tokenRequest(credential, app, proof));
            response.headers().firstValue(DPOP_NONCE).ifPresent(nonce -> tokenNonce = nonce);
            body = parse(response.body());
            if (response.statusCode() == 200 || sent == MAX_TOKEN_REQUESTS || !asksForDpop(response, body, proof)) {
                break;
            }
            LOG.debug("okta {}: the {} service app (client {}) asks for a DPoP proof ({}), sending one", instance,
                    credential.id(), app.clientId(), OktaError.text(body, "error"));
            withProof = true;
            dpopApps.add(app.clientId());
        }
        if (response.statusCode() != 200) {
            throw tokenRefused(credential, app, response.statusCode(), body);
        }
        String value = OktaError.text(body, "access_token");
        if (value == null) {
            throw OktaFailure.failed("Okta's token answer for the " + credential.id() + " service app has no "
                    + "access_token", Map.of("client_id", app.clientId()));
        }
        boolean bound = "DPoP".equalsIgnoreCase(OktaError.text(body, "token_type"));
        long lifetime = body.path("expires_in").asLong(0);
        LOG.debug("okta {}: new {} token for client {}, valid {} s", instance, bound ? "DPoP-bound " + credential.id()
                : credential.id(), app.clientId(), lifetime);
        return new TokenCache.Grant<>(new AccessToken(value, bound, OktaError.text(body, "scope")),
                Duration.ofSeconds(lifetime));
    }

    /**
     * Whether another token request, with a proof, may succeed: Okta said a proof is missing, or gave a nonce to put in
     * it (the first proof of an app always gets one, and so does a proof whose nonce has expired).
     */
    private static boolean asksForDpop(HttpResponse<String> response, JsonNode body, boolean sentProof) {
        if (response.statusCode() != 400) {
            return false;
        }
        String error = OktaError.text(body, "error");
        if (USE_DPOP_NONCE.equals(error)) {
            return response.headers().firstValue(DPOP_NONCE).isPresent();
        }
        return INVALID_DPOP_PROOF.equals(error) && !sentProof;
    }

    private HttpRequest tokenRequest(Credential credential, ServiceApp app, boolean withProof) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("scope", credential.scope());
        form.put("client_assertion_type", ASSERTION_TYPE);
        // a fresh assertion per attempt: Okta refuses a jti it has seen
        form.put("client_assertion", clientAssertion(app));
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = http.request(tokenUrl)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (withProof) {
            request.header("DPoP", dpop.proof("POST", tokenUrl, tokenNonce, null));
        }
        return request.build();
    }

    private String clientAssertion(ServiceApp app) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(app.clientId())
                .subject(app.clientId())
                .audience(tokenUrl.toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(app.algorithm()).keyID(app.keyId()).build(), claims);
        try {
            jwt.sign(app.signer());
        } catch (JOSEException e) {
            // the key was checked at open(); a failure here is the JVM's crypto, not the configuration
            throw new IllegalStateException("cannot sign the client assertion for client " + app.clientId(), e);
        }
        return jwt.serialize();
    }

    private OktaFailure tokenRefused(Credential credential, ServiceApp app, int status, JsonNode body) {
        String error = OktaError.text(body, "error");
        String description = OktaError.text(body, "error_description");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("http_status", status);
        details.put("oauth_error", error);
        details.put("oauth_error_description", description);
        details.put("client_id", app.clientId());
        String which = "the " + credential.id() + " service app (client id " + app.clientId() + ")";
        StringBuilder message = new StringBuilder("Okta refused an access token to ").append(which)
                .append(" (HTTP ").append(status);
        if (error != null) {
            message.append(' ').append(error).append(description == null ? "" : ": " + description);
        }
        message.append(')');
        if ("invalid_scope".equals(error)) {
            message.append("; grant the app the scope ").append(credential.scope());
        } else if ("invalid_client".equals(error) || status == 401) {
            message.append("; check the client id, the public key registered for the app and the key id");
        } else if (USE_DPOP_NONCE.equals(error) || INVALID_DPOP_PROOF.equals(error)) {
            message.append("; Okta did not accept the connector's DPoP proof");
        }
        return OktaFailure.refused(message.toString(), details);
    }

    /** Sends with retries; answers anything but 429 and 5xx, which end in a failure once retries are used up. */
    private HttpResponse<String> exchange(String what, Supplier<HttpRequest> request) throws OktaFailure {
        HttpResponse<String> response;
        try {
            response = http.send(what, request);
        } catch (TransportFailure e) {
            throw OktaFailure.failed(e.getMessage(), e.details());
        }
        int status = response.statusCode();
        if (status == 429) {
            Map<String, Object> details = OktaError.from(parse(response.body())).details(status);
            response.headers().firstValue("X-Rate-Limit-Reset")
                    .ifPresent(reset -> details.put("rate_limit_reset", reset));
            Optional<Duration> tooLong = http.waitBeyondCap(response);
            if (tooLong.isPresent()) {
                throw OktaFailure.failed(String.format("Okta rate-limited %s; the limit resets in %d s, later than "
                                + "max-rate-limit-wait (%d s) allows", what, tooLong.get().toSeconds(),
                        config.maxRateLimitWait().toSeconds()), details);
            }
            throw OktaFailure.failed("Okta still rate-limited " + what + " " + http.attempts(), details);
        }
        if (status >= 500) {
            throw OktaFailure.failed("Okta answered HTTP " + status + " to " + what + " " + http.attempts(),
                    OktaError.from(parse(response.body())).details(status));
        }
        return response;
    }

    /** A 429's wait: until X-Rate-Limit-Reset, by Okta's clock, and one second more as Okta's SDKs wait. */
    private Optional<Duration> rateLimitWait(HttpResponse<?> response) {
        return response.statusCode() != 429 ? Optional.empty()
                : RateLimitHeaders.reset(response, "X-Rate-Limit-Reset", clock)
                        .map(wait -> wait.plus(RATE_LIMIT_MARGIN));
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
