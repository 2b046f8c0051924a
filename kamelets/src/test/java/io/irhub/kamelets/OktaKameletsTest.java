package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The three Okta Kamelets against a stand-in Okta org fed with Okta's documented payloads: each reads the user with
 * the lookup service app and changes it with the app of its own capability, as the connector does in the hub.
 */
class OktaKameletsTest {
    private static final String LOGIN = "isaac.brock@example.com";
    private static final String USER_ID = "00ub0oNGTSWTBKOLGLNR";
    private static final String USER_PATH = "/api/v1/users/isaac.brock%40example.com";
    private static final String TOKEN_PATH = "/oauth2/v1/token";
    private static final Map<String, String> KEYS = Map.of(
            "default", Fixtures.rsaPem(), "lookup", Fixtures.rsaPem(), "suspend", Fixtures.rsaPem(),
            "restore", Fixtures.rsaPem());

    @RegisterExtension
    static final WireMockExtension OKTA = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String ROUTES = """
            - route:
                id: suspend
                from:
                  uri: direct:suspend
                  steps:
                    - to: kamelet:okta-suspend-user-action
            - route:
                id: restore
                from:
                  uri: direct:restore
                  steps:
                    - to: kamelet:okta-restore-user-action
            - route:
                id: clear-sessions
                from:
                  uri: direct:clear-sessions
                  steps:
                    - to: kamelet:okta-clear-sessions-action
                    - to: mock:cleared
            """;

    @BeforeEach
    void stubTokens() {
        // one access token per scope; which service app asked is read from the client assertion afterwards
        OKTA.stubFor(post(urlPathEqualTo(TOKEN_PATH)).withRequestBody(containing("scope=okta.users.read"))
                .willReturn(okJson(token("access-token-read", "okta.users.read"))));
        OKTA.stubFor(post(urlPathEqualTo(TOKEN_PATH)).withRequestBody(containing("scope=okta.users.manage"))
                .willReturn(okJson(token("access-token-manage", "okta.users.manage"))));
    }

    @AfterAll
    static void noKeyInLogs() {
        SecretsInLogs.assertAbsent(KEYS.values());
    }

    /** Every Kamelet gets the default app and a separate app for each credential it names, through properties. */
    private static Map<String, String> properties() {
        Map<String, String> p = new HashMap<>();
        for (String kamelet : List.of("okta-suspend-user-action", "okta-restore-user-action", "okta-clear-sessions-action")) {
            String prefix = "camel.kamelet." + kamelet + ".";
            p.put(prefix + "orgUrl", OKTA.baseUrl());
            p.put(prefix + "clientId", "0oa-default-app");
            p.put(prefix + "privateKey", KEYS.get("default"));
            p.put(prefix + "lookupClientId", "0oa-lookup-app");
            p.put(prefix + "lookupPrivateKey", KEYS.get("lookup"));
            p.put(prefix + "maxRetries", "0");
        }
        p.put("camel.kamelet.okta-suspend-user-action.suspendClientId", "0oa-suspend-app");
        p.put("camel.kamelet.okta-suspend-user-action.suspendPrivateKey", KEYS.get("suspend"));
        p.put("camel.kamelet.okta-restore-user-action.restoreClientId", "0oa-restore-app");
        p.put("camel.kamelet.okta-restore-user-action.restorePrivateKey", KEYS.get("restore"));
        // clear-sessions uses the suspend credential; without a separate app it falls back to the default app
        return p;
    }

    @Test
    void suspendsAnActiveUserWithTheSuspendApp() throws Exception {
        OKTA.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(user("ACTIVE"))));
        OKTA.stubFor(post(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/suspend")).willReturn(okJson("{}")));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            String answer = camel.producer().requestBodyAndHeader("direct:suspend",
                    "{\"kind\": \"user\", \"login\": \"" + LOGIN + "\"}",
                    TargetAction.CORRELATION_ID, "0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", String.class);

            JsonNode outcome = Fixtures.json(answer);
            assertThat(outcome.path("status").asText()).isEqualTo("succeeded");
            assertThat(outcome.path("verb").asText()).isEqualTo("suspend");
            assertThat(outcome.path("target").asText()).isEqualTo("okta-suspend-user-action");
            assertThat(outcome.path("target_ref").asText()).isEqualTo(USER_ID);
            assertThat(outcome.path("identity").path("login").asText()).isEqualTo(LOGIN);
            assertThat(outcome.path("correlation_id").asText()).isEqualTo("0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
        }
        OKTA.verify(postRequestedFor(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/suspend"))
                .withHeader("Authorization", equalTo("Bearer access-token-manage")));
        assertThat(issuersByScope()).containsEntry("okta.users.read", "0oa-lookup-app")
                .containsEntry("okta.users.manage", "0oa-suspend-app");
    }

    @Test
    void reportsAnAlreadySuspendedUserWithoutChangingIt() throws Exception {
        OKTA.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(user("SUSPENDED"))));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            // plain text is the login
            var exchange = camel.producer().request("direct:suspend", e -> e.getMessage().setBody(LOGIN));

            assertThat(exchange.getMessage().getHeader(TargetAction.OUTCOME_STATUS)).isEqualTo("already_done");
        }
        assertThat(OKTA.findAll(postRequestedFor(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/suspend"))))
                .isEmpty();
    }

    @Test
    void restoresASuspendedUserWithTheRestoreApp() throws Exception {
        OKTA.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(user("SUSPENDED"))));
        OKTA.stubFor(post(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/unsuspend")).willReturn(okJson("{}")));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            String answer = camel.producer().requestBodyAndHeader("direct:restore", null, TargetAction.IDENTITY,
                    "{\"login\": \"" + LOGIN + "\"}", String.class);

            assertThat(Fixtures.json(answer).path("status").asText()).isEqualTo("succeeded");
        }
        assertThat(issuersByScope()).containsEntry("okta.users.read", "0oa-lookup-app")
                .containsEntry("okta.users.manage", "0oa-restore-app");
    }

    @Test
    void clearsSessionsWithTheSuspendCredential() throws Exception {
        OKTA.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(user("ACTIVE"))));
        OKTA.stubFor(delete(urlPathEqualTo("/api/v1/users/" + USER_ID + "/sessions"))
                .willReturn(aResponse().withStatus(204)));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            camel.mock("cleared").expectedHeaderReceived(TargetAction.OUTCOME_STATUS, "succeeded");

            camel.producer().sendBody("direct:clear-sessions", "{\"kind\": \"user\", \"login\": \"" + LOGIN + "\"}");

            camel.mock("cleared").assertIsSatisfied();
        }
        OKTA.verify(deleteRequestedFor(urlPathEqualTo("/api/v1/users/" + USER_ID + "/sessions"))
                .withQueryParam("oauthTokens", equalTo("true")));
        // no separate suspend app configured for this Kamelet: the default app holds the suspend credential
        assertThat(issuersByScope()).containsEntry("okta.users.manage", "0oa-default-app");
    }

    @Test
    void refusesAnIdentityKindItDoesNotActOn() throws Exception {
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            assertThatThrownBy(() -> camel.producer().requestBody("direct:suspend",
                    "{\"kind\": \"api-token\", \"login\": \"tok-1\"}"))
                    .hasRootCauseInstanceOf(IllegalArgumentException.class)
                    .hasStackTraceContaining("acts on identities of kind user, service-account, not api-token");
        }
        assertThat(OKTA.getAllServeEvents()).isEmpty();
    }

    @Test
    void anUnusablePropertyFailsTheRouteAtStartNamingTheProperty() {
        Map<String, String> properties = properties();
        properties.put("camel.kamelet.okta-suspend-user-action.orgUrl", "acme.okta.com");
        properties.put("camel.kamelet.okta-suspend-user-action.suspendClientId", "0oa-only-an-id");
        properties.remove("camel.kamelet.okta-suspend-user-action.suspendPrivateKey");

        assertThatThrownBy(() -> CamelHarness.start(properties, ROUTES).close())
                .hasStackTraceContaining("orgUrl: 'acme.okta.com' is not an http(s) URL");
    }

    @Test
    void aMissingRequiredPropertyIsNamedByTheKameletComponent() {
        Map<String, String> properties = properties();
        properties.remove("camel.kamelet.okta-restore-user-action.privateKey");

        assertThatThrownBy(() -> CamelHarness.start(properties, ROUTES).close())
                .hasStackTraceContaining("privateKey");
    }

    private static String token(String accessToken, String scope) {
        ObjectNode token = (ObjectNode) Fixtures.json(Fixtures.text("okta/token.json"));
        token.put("access_token", accessToken).put("scope", scope);
        return token.toString();
    }

    private static String user(String status) {
        ObjectNode user = (ObjectNode) Fixtures.json(Fixtures.text("okta/user.json"));
        user.put("status", status);
        return user.toString();
    }

    /** scope → the client id (the client assertion's issuer) that asked for a token with it. */
    private static Map<String, String> issuersByScope() throws Exception {
        Map<String, String> issuers = new HashMap<>();
        for (LoggedRequest request : OKTA.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))) {
            Map<String, String> form = new HashMap<>();
            for (String pair : request.getBodyAsString().split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
            }
            issuers.put(form.get("scope"), SignedJWT.parse(form.get("client_assertion")).getJWTClaimsSet().getIssuer());
        }
        return issuers;
    }
}
