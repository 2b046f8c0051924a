package io.irhub.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * The 1Password Users API (v1beta1) at the network edge: one OAuth application per capability (HTTP Basic on the
 * token call), one user whose state follows suspend and reactivate.
 */
final class OnePasswordStandIn implements AutoCloseable {
    static final String ACCOUNT = "ACCT4IRHUBTEST";
    static final String USER_ID = "IR7VJHJ36JHINBFAD7V2T5MP3E";
    static final Map<String, String> APPS = Map.of("lookup", "op-lookup-app", "suspend", "op-suspend-app",
            "reactivate", "op-reactivate-app");

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    OnePasswordStandIn(String email) {
        server.start();
        for (Map.Entry<String, String> app : APPS.entrySet()) {
            server.stubFor(post(urlPathEqualTo("/v1beta1/users/oauth2/token"))
                    .withHeader("Authorization", equalTo(basic(app.getValue(), secret(app.getKey()))))
                    .willReturn(okJson("{\"access_token\":\"op-" + app.getKey() + "-access\",\"token_type\":\"Bearer\","
                            + "\"expires_in\":900,\"scope\":\"openid\"}")));
        }
        String users = "/v1beta1/accounts/" + ACCOUNT + "/users";
        for (String state : List.of("ACTIVE", "SUSPENDED")) {
            String scenarioState = state.equals("ACTIVE") ? Scenario.STARTED : "suspended";
            String user = user(email, state);
            server.stubFor(get(urlPathEqualTo(users)).inScenario("user").whenScenarioStateIs(scenarioState)
                    .willReturn(okJson("{\"results\":[" + user + "]}")));
            server.stubFor(get(urlPathEqualTo(users + "/" + USER_ID)).inScenario("user").whenScenarioStateIs(scenarioState)
                    .willReturn(okJson(user)));
        }
        server.stubFor(post(urlPathEqualTo(users + "/" + USER_ID + ":suspend")).inScenario("user")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("suspended").willReturn(okJson(user(email, "SUSPENDED"))));
        server.stubFor(post(urlPathEqualTo(users + "/" + USER_ID + ":reactivate")).inScenario("user")
                .whenScenarioStateIs("suspended").willSetStateTo(Scenario.STARTED).willReturn(okJson(user(email, "ACTIVE"))));
    }

    private static String user(String email, String state) {
        return ("{\"id\":\"%s\",\"email\":\"%s\",\"display_name\":\"Dave Example\",\"state\":\"%s\","
                + "\"create_time\":\"2024-01-15T10:30:00Z\",\"path\":\"accounts/%s/users/%s\"}")
                .formatted(USER_ID, email, state, ACCOUNT, USER_ID);
    }

    static String secret(String app) {
        return "op-" + app + "-client-secret-for-tests";
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    List<LoggedRequest> requests(String method, String pathRegex) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().matches(pathRegex)).toList();
    }

    @Override
    public void close() {
        server.stop();
    }
}
