package io.irhub.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Okta at the network edge: WireMock on 127.0.0.1 answering the documented endpoints, with two service apps
 * (lookup and suspend) whose keys the test made. Tokens are told apart by scope so a test can see which app's
 * token each call carried.
 */
final class OktaStandIn implements AutoCloseable {
    static final String LOOKUP_CLIENT = "0oa-lookup-app";
    static final String SUSPEND_CLIENT = "0oa-suspend-app";
    static final String READ_TOKEN = "eyJ-read-access-token";
    static final String MANAGE_TOKEN = "eyJ-manage-access-token";

    final KeyPair lookupKey = rsa();
    final KeyPair suspendKey = rsa();
    /** The users of {@link #stateful()} mode; unused otherwise. */
    final Lifecycle lifecycle = new Lifecycle();
    final WireMockServer server;

    OktaStandIn() {
        this(false);
    }

    private OktaStandIn(boolean stateful) {
        var config = wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(lifecycle);
        // a long run would keep every request in the journal; the stateful users record what a test needs
        server = new WireMockServer(stateful ? config.disableRequestJournal() : config);
        server.start();
        if (stateful) {
            stubStateful();
        } else {
            stubNormal();
        }
    }

    /**
     * An org in which every {@code *@example.com} login exists, ACTIVE until suspended: a user keeps its status
     * across calls (see {@link Lifecycle}), so a resumed suspend finds the user SUSPENDED, and a suspend of a user
     * that is not ACTIVE is refused with Okta's 400. The request journal is off; {@link #lifecycle} has the record.
     */
    static OktaStandIn stateful() {
        return new OktaStandIn(true);
    }

    private void stubStateful() {
        server.stubFor(post(urlEqualTo("/oauth2/v1/token")).withRequestBody(containing("scope=okta.users.read"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + READ_TOKEN
                        + "\",\"scope\":\"okta.users.read\"}")));
        server.stubFor(post(urlEqualTo("/oauth2/v1/token")).withRequestBody(containing("scope=okta.users.manage"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + MANAGE_TOKEN
                        + "\",\"scope\":\"okta.users.manage\"}")));
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(urlPathMatching("/api/v1/users/.*"))
                .willReturn(aResponse().withTransformers(Lifecycle.NAME)));
    }

    /**
     * The state of a stateful org's users, kept by a WireMock response transformer: {@code GET /api/v1/users/{login
     * or id}}, {@code POST …/lifecycle/suspend|unsuspend} (200 on an ACTIVE resp. SUSPENDED user, else Okta's 400
     * E0000001) and {@code DELETE …/sessions} (204). Every effective status change is recorded, in order.
     */
    static final class Lifecycle implements com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2 {
        static final String NAME = "okta-lifecycle";

        /** A status change the org made: who, which, and when (wall clock) it was made. */
        record Change(String login, String verb, java.time.Instant at) {
        }

        private final Map<String, String> status = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, String> loginById = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Change> changes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        /** Lifecycle calls refused because the user was not in the status the call needs (a write without a read). */
        final java.util.concurrent.atomic.AtomicInteger refusedTransitions = new java.util.concurrent.atomic.AtomicInteger();
        final Map<String, java.util.concurrent.atomic.AtomicInteger> sessionClears = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        List<Change> changes() {
            synchronized (changes) {
                return List.copyOf(changes);
            }
        }

        String status(String login) {
            return status.getOrDefault(login, "ACTIVE");
        }

        static String id(String login) {
            return "00u" + Integer.toHexString(login.hashCode() & 0x7fffffff) + "x" + login.length();
        }

        @Override
        public com.github.tomakehurst.wiremock.http.ResponseDefinition transform(
                com.github.tomakehurst.wiremock.stubbing.ServeEvent event) {
            calls.increment();
            var request = event.getRequest();
            String[] parts = request.getUrl().split("\\?", 2)[0].split("/");   // "", api, v1, users, {idOrLogin}[, …]
            String key = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            String login = key.contains("@") ? key : loginById.get(key);
            if (login == null || !login.endsWith("@example.com")) {
                return json(404, "{\"errorCode\":\"E0000007\",\"errorSummary\":\"Not found: Resource not found: "
                        + key + " (User)\",\"errorId\":\"oae-stand-in\",\"errorCauses\":[]}");
            }
            String id = id(login);
            loginById.putIfAbsent(id, login);
            String method = request.getMethod().getName();
            if (method.equals("GET") && parts.length == 5) {
                return json(200, """
                        {"id":"%s","status":"%s","created":"2024-01-10T09:00:00.000Z","type":{"id":"oty1"},
                         "profile":{"firstName":"%s","lastName":"Example","login":"%s","email":"%s"}}"""
                        .formatted(id, status(login), login.substring(0, login.indexOf('@')), login, login));
            }
            if (method.equals("POST") && parts.length == 7 && parts[5].equals("lifecycle")
                    && (parts[6].equals("suspend") || parts[6].equals("unsuspend"))) {
                String from = parts[6].equals("suspend") ? "ACTIVE" : "SUSPENDED";
                String to = parts[6].equals("suspend") ? "SUSPENDED" : "ACTIVE";
                boolean[] changed = {false};
                status.compute(login, (l, s) -> {
                    String now = s == null ? "ACTIVE" : s;
                    if (!now.equals(from)) {
                        return now;
                    }
                    changed[0] = true;
                    changes.add(new Change(login, parts[6], java.time.Instant.now()));
                    return to;
                });
                if (!changed[0]) {
                    refusedTransitions.incrementAndGet();
                    return json(400, "{\"errorCode\":\"E0000001\",\"errorSummary\":\"Api validation failed: "
                            + parts[6] + "\",\"errorId\":\"oae-stand-in\",\"errorCauses\":[{\"errorSummary\":"
                            + "\"The user is not " + from + "\"}]}");
                }
                return json(200, "{}");
            }
            if (method.equals("DELETE") && parts.length == 6 && parts[5].equals("sessions")) {
                sessionClears.computeIfAbsent(login, l -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(204).build();
            }
            return json(405, "{\"errorCode\":\"E0000022\",\"errorSummary\":\"The endpoint does not support the "
                    + "provided HTTP method\",\"errorId\":\"oae-stand-in\",\"errorCauses\":[]}");
        }

        private static com.github.tomakehurst.wiremock.http.ResponseDefinition json(int status, String body) {
            return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder().withStatus(status)
                    .withHeader("Content-Type", "application/json").withBody(body).build();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    void stubNormal() {
        server.resetAll();
        server.stubFor(post(urlEqualTo("/oauth2/v1/token")).withRequestBody(containing("scope=okta.users.read"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + READ_TOKEN
                        + "\",\"scope\":\"okta.users.read\"}")));
        server.stubFor(post(urlEqualTo("/oauth2/v1/token")).withRequestBody(containing("scope=okta.users.manage"))
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + MANAGE_TOKEN
                        + "\",\"scope\":\"okta.users.manage\"}")));
        stubUser("alice", "00u1alice", "ACTIVE");
        stubUser("bob", "00u2bob", "ACTIVE");
        stubUser("carol", "00u3carol", "ACTIVE");
        server.stubFor(post(urlPathMatching("/api/v1/users/[^/]+/lifecycle/suspend")).willReturn(okJson("{}")));
        server.stubFor(delete(urlPathMatching("/api/v1/users/[^/]+/sessions")).willReturn(aResponse().withStatus(204)));
        server.stubFor(post(urlPathMatching("/api/v1/users/[^/]+/lifecycle/deactivate")).willReturn(okJson("{}")));
    }

    /**
     * A user whose status follows the lifecycle calls: ACTIVE, SUSPENDED after a suspend, ACTIVE again after an
     * unsuspend (WireMock scenario named after the user).
     */
    void stubLifecycleUser(String name, String id) {
        String login = name + "@example.com";
        for (String status : List.of("ACTIVE", "SUSPENDED")) {
            String state = status.equals("ACTIVE") ? com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED : "suspended";
            String user = """
                    {"id":"%s","status":"%s","created":"2024-01-10T09:00:00.000Z","type":{"id":"oty1"},
                     "profile":{"firstName":"%s","lastName":"Example","login":"%s","email":"%s"}}"""
                    .formatted(id, status, name, login, login);
            server.stubFor(get(urlPathMatching("/api/v1/users/(" + name + "(@|%40)example\\.com|" + id + ")"))
                    .atPriority(1).inScenario(name).whenScenarioStateIs(state).willReturn(okJson(user)));
        }
        server.stubFor(post(urlPathEqualTo("/api/v1/users/" + id + "/lifecycle/suspend")).atPriority(1)
                .inScenario(name).whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willSetStateTo("suspended").willReturn(okJson("{}")));
        server.stubFor(post(urlPathEqualTo("/api/v1/users/" + id + "/lifecycle/unsuspend")).atPriority(1)
                .inScenario(name).whenScenarioStateIs("suspended")
                .willSetStateTo(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willReturn(okJson("{}")));
    }

    /** The read-scope token request hangs, so the hub is caught in the middle of dispatch. */
    void hangOnLookupToken() {
        server.stubFor(post(urlEqualTo("/oauth2/v1/token")).atPriority(1).withRequestBody(containing("scope=okta.users.read"))
                .willReturn(aResponse().withFixedDelay(120_000).withStatus(500)));
    }

    private void stubUser(String name, String id, String status) {
        String login = name + "@example.com";
        String user = """
                {"id":"%s","status":"%s","created":"2024-01-10T09:00:00.000Z","activated":"2024-01-10T09:00:01.000Z",
                 "statusChanged":"2024-01-10T09:00:01.000Z","lastLogin":"2026-11-20T08:00:00.000Z",
                 "lastUpdated":"2026-11-20T08:00:00.000Z","passwordChanged":"2024-01-10T09:00:01.000Z",
                 "type":{"id":"oty1"},"profile":{"firstName":"%s","lastName":"Example","login":"%s","email":"%s"},
                 "_links":{"self":{"href":"%s/api/v1/users/%s"}}}""".formatted(id, status, name, login, login, baseUrl(), id);
        server.stubFor(get(urlPathMatching("/api/v1/users/" + name + "(@|%40)example\\.com")).willReturn(okJson(user)));
        server.stubFor(get(urlPathEqualTo("/api/v1/users/" + id)).willReturn(okJson(user)));
    }

    List<LoggedRequest> requests(String method, String pathRegex) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().matches(pathRegex)).toList();
    }

    List<LoggedRequest> tokenRequests(String scope) {
        return requests("POST", "/oauth2/v1/token").stream()
                .filter(r -> form(r).get("scope").equals(scope)).toList();
    }

    /** Whether the token request's client assertion is signed by {@code key} and names {@code clientId}. */
    static boolean signedBy(LoggedRequest tokenRequest, KeyPair key, String clientId, String audience) {
        try {
            SignedJWT jwt = SignedJWT.parse(form(tokenRequest).get("client_assertion"));
            return jwt.verify(new RSASSAVerifier((RSAPublicKey) key.getPublic()))
                    && clientId.equals(jwt.getJWTClaimsSet().getIssuer())
                    && clientId.equals(jwt.getJWTClaimsSet().getSubject())
                    && jwt.getJWTClaimsSet().getAudience().equals(List.of(audience))
                    && jwt.getJWTClaimsSet().getJWTID() != null;
        } catch (Exception e) {
            return false;
        }
    }

    static Map<String, String> form(LoggedRequest r) {
        return Arrays.stream(r.getBodyAsString().split("&")).map(kv -> kv.split("=", 2))
                .collect(Collectors.toMap(kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv -> kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : ""));
    }

    static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder suspendCall() {
        return postRequestedFor(urlPathMatching("/api/v1/users/[^/]+/lifecycle/suspend"));
    }
}
