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

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    final KeyPair lookupKey = rsa();
    final KeyPair suspendKey = rsa();

    OktaStandIn() {
        server.start();
        stubNormal();
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
