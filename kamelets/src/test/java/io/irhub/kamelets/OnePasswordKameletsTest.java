package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 1Password Kamelets against a stand-in Users API fed with the documented payloads: the user is found with the
 * lookup application and changed with the application of the Kamelet's own capability; the application a Kamelet
 * never uses (its inert placeholder) never asks for a token.
 */
class OnePasswordKameletsTest {
    private static final String ACCOUNT = "ACCOUNT123";
    private static final String EMAIL = "wendy_appleseed@agilebits.com";
    private static final String USERS_PATH = "/v1beta1/accounts/" + ACCOUNT + "/users";
    private static final String USER_PATH = USERS_PATH + "/IR7VJHJ36JHINBFAD7V2T5MP3E";
    private static final String TOKEN_PATH = "/v1beta1/users/oauth2/token";
    private static final Map<String, String> SECRETS = Map.of(
            "lookup", "lookup-secret-9d1c2e7f4a", "suspend", "suspend-secret-b8e2f1a04c",
            "reactivate", "reactivate-secret-3d4e5f6a7b");

    @RegisterExtension
    static final WireMockExtension ONEPASSWORD = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String ROUTES = """
            - route:
                from:
                  uri: direct:suspend
                  steps:
                    - to: kamelet:onepassword-suspend-user-action
            - route:
                from:
                  uri: direct:reactivate
                  steps:
                    - to: kamelet:onepassword-reactivate-user-action
            """;

    @BeforeEach
    void stubTokens() {
        // each application's token request is told apart by its HTTP Basic credentials
        SECRETS.keySet().forEach(app -> ONEPASSWORD.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .withHeader("Authorization", equalTo(basic(app)))
                .willReturn(okJson(token("access-token-" + app)))));
    }

    @AfterAll
    static void noSecretInLogs() {
        SecretsInLogs.assertAbsent(SECRETS.values());
    }

    private static Map<String, String> properties() {
        Map<String, String> p = new HashMap<>();
        for (String kamelet : List.of("onepassword-suspend-user-action", "onepassword-reactivate-user-action")) {
            String prefix = "camel.kamelet." + kamelet + ".";
            p.put(prefix + "baseUrl", ONEPASSWORD.baseUrl());
            p.put(prefix + "accountId", ACCOUNT);
            p.put(prefix + "lookupClientId", clientId("lookup"));
            p.put(prefix + "lookupClientSecret", SECRETS.get("lookup"));
            p.put(prefix + "maxRetries", "0");
        }
        p.put("camel.kamelet.onepassword-suspend-user-action.suspendClientId", clientId("suspend"));
        p.put("camel.kamelet.onepassword-suspend-user-action.suspendClientSecret", SECRETS.get("suspend"));
        p.put("camel.kamelet.onepassword-reactivate-user-action.reactivateClientId", clientId("reactivate"));
        p.put("camel.kamelet.onepassword-reactivate-user-action.reactivateClientSecret", SECRETS.get("reactivate"));
        return p;
    }

    @Test
    void suspendsAnActiveUserFoundByEmail() throws Exception {
        stubList("ACTIVE");
        ONEPASSWORD.stubFor(post(urlPathEqualTo(USER_PATH + ":suspend")).willReturn(okJson(user("SUSPENDED"))));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            JsonNode outcome = Fixtures.json(camel.producer().requestBody("direct:suspend",
                    "{\"kind\": \"user\", \"login\": \"" + EMAIL + "\"}", String.class));

            assertThat(outcome.path("status").asText()).isEqualTo("succeeded");
            assertThat(outcome.path("target_ref").asText()).isEqualTo("IR7VJHJ36JHINBFAD7V2T5MP3E");
        }
        ONEPASSWORD.verify(postRequestedFor(urlPathEqualTo(USER_PATH + ":suspend"))
                .withHeader("Authorization", equalTo("Bearer access-token-suspend")));
        assertThat(ONEPASSWORD.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))))
                .extracting(r -> r.getHeader("Authorization"))
                .containsOnly(basic("lookup"), basic("suspend"));
    }

    @Test
    void reactivatesASuspendedUserWithTheReactivateApplication() throws Exception {
        stubList("SUSPENDED");
        ONEPASSWORD.stubFor(post(urlPathEqualTo(USER_PATH + ":reactivate")).willReturn(okJson(user("ACTIVE"))));
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            var exchange = camel.producer().request("direct:reactivate",
                    e -> e.getMessage().setBody("{\"email\": \"" + EMAIL + "\"}"));

            assertThat(exchange.getMessage().getHeader(TargetAction.OUTCOME_STATUS)).isEqualTo("succeeded");
        }
        ONEPASSWORD.verify(postRequestedFor(urlPathEqualTo(USER_PATH + ":reactivate"))
                .withHeader("Authorization", equalTo("Bearer access-token-reactivate")));
        assertThat(ONEPASSWORD.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))))
                .extracting(r -> r.getHeader("Authorization"))
                .containsOnly(basic("lookup"), basic("reactivate"));
    }

    @Test
    void anAlreadyActiveUserIsNotReactivated() throws Exception {
        stubList("ACTIVE");
        try (CamelHarness camel = CamelHarness.start(properties(), ROUTES)) {
            var exchange = camel.producer().request("direct:reactivate", e -> e.getMessage().setBody(EMAIL));

            assertThat(exchange.getMessage().getHeader(TargetAction.OUTCOME_STATUS)).isEqualTo("already_done");
        }
        assertThat(ONEPASSWORD.findAll(postRequestedFor(urlPathEqualTo(USER_PATH + ":reactivate")))).isEmpty();
    }

    private static void stubList(String state) {
        ObjectNode page = Fixtures.JSON.createObjectNode();
        page.putArray("results").add(Fixtures.json(user(state)));
        ONEPASSWORD.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(page.toString())));
    }

    private static String user(String state) {
        ObjectNode user = (ObjectNode) Fixtures.json(Fixtures.text("onepassword/user.json"));
        user.put("state", state);
        return user.toString();
    }

    private static String token(String accessToken) {
        ObjectNode token = (ObjectNode) Fixtures.json(Fixtures.text("onepassword/token.json"));
        token.put("access_token", accessToken);
        return token.toString();
    }

    private static String clientId(String app) {
        return app + "-app-0d3f6a21";
    }

    private static String basic(String app) {
        return "Basic " + Base64.getEncoder().encodeToString((clientId(app) + ":" + SECRETS.get(app))
                .getBytes(StandardCharsets.UTF_8));
    }
}
