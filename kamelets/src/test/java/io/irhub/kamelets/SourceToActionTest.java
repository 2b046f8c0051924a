package io.irhub.kamelets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's route: a Splunk alert in, each identity of its signal suspended in Okta. The two Kamelets compose
 * through the hub's signal format and nothing else.
 */
class SourceToActionTest {
    private static final String USER_ID = "00ub0oNGTSWTBKOLGLNR";

    @RegisterExtension
    static final WireMockExtension OKTA = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String ROUTES = """
            - route:
                id: contain
                from:
                  uri: kamelet:splunk-alert-source
                  steps:
                    - split:
                        jsonpath: "$.identities[*]"
                        steps:
                          - to: kamelet:okta-suspend-user-action
                          - to: mock:outcomes
            """;

    @Test
    void anAlertSuspendsTheUserItNames() throws Exception {
        ObjectNode token = (ObjectNode) Fixtures.json(Fixtures.text("okta/token.json"));
        OKTA.stubFor(post(urlPathEqualTo("/oauth2/v1/token")).withRequestBody(containing("client_assertion"))
                .willReturn(okJson(token.toString())));
        ObjectNode user = (ObjectNode) Fixtures.json(Fixtures.text("okta/user.json"));
        OKTA.stubFor(get(urlPathEqualTo("/api/v1/users/alice%40example.com")).willReturn(okJson(user.toString())));
        OKTA.stubFor(post(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/suspend")).willReturn(okJson("{}")));
        Map<String, String> properties = new HashMap<>();
        properties.put("camel.kamelet.splunk-alert-source.token", "splunk-path-token");
        properties.put("camel.kamelet.splunk-alert-source.identityFields", "email");
        properties.put("camel.kamelet.okta-suspend-user-action.orgUrl", OKTA.baseUrl());
        properties.put("camel.kamelet.okta-suspend-user-action.clientId", "0oa-default-app");
        properties.put("camel.kamelet.okta-suspend-user-action.privateKey", Fixtures.rsaPem());

        try (CamelHarness camel = CamelHarness.startWithHttp(properties, ROUTES)) {
            NotifyBuilder contained = new NotifyBuilder(camel.context()).fromRoute("contain").whenDone(1).create();
            camel.mock("outcomes").expectedHeaderReceived(TargetAction.OUTCOME_STATUS, "succeeded");

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + camel.httpPort() + "/hooks/splunk/splunk-path-token"))
                    .POST(HttpRequest.BodyPublishers.ofString(Fixtures.text("splunk/alert-compromised-user.json")))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(contained.matches(10, TimeUnit.SECONDS)).isTrue();
            camel.mock("outcomes").assertIsSatisfied();
        }
        OKTA.verify(postRequestedFor(urlPathEqualTo("/api/v1/users/" + USER_ID + "/lifecycle/suspend"))
                .withHeader("Authorization", equalTo("Bearer " + Fixtures.json(Fixtures.text("okta/token.json"))
                        .path("access_token").asText())));
    }
}
