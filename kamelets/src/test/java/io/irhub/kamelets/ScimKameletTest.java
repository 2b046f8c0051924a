package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SCIM Kamelet against a stand-in service provider fed with RFC 7643's Barbara Jensen: found by userName with
 * the lookup token, deactivated with {@code PATCH active=false} and the suspend token.
 */
class ScimKameletTest {
    private static final String USERS_PATH = "/scim/v2/Users";
    private static final String USER_PATH = USERS_PATH + "/2819c223-7f76-453a-919d-413861904646";
    private static final String LOOKUP_TOKEN = "scim-lookup-" + UUID.randomUUID();
    private static final String SUSPEND_TOKEN = "scim-suspend-" + UUID.randomUUID();
    private static final String PATCH_INACTIVE = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
            + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}";

    @RegisterExtension
    static final WireMockExtension SCIM = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @AfterAll
    static void noTokenInLogs() {
        SecretsInLogs.assertAbsent(List.of(LOOKUP_TOKEN, SUSPEND_TOKEN));
    }

    @Test
    void deactivatesAnActiveUserWithPatchActiveFalse() throws Exception {
        SCIM.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("filter", equalTo("userName eq \"bjensen@example.com\""))
                .willReturn(scimJson(list(user(true)))));
        SCIM.stubFor(patch(urlPathEqualTo(USER_PATH)).withRequestBody(equalToJson(PATCH_INACTIVE))
                .willReturn(scimJson(user(false).toString())));
        String routes = """
                - route:
                    from:
                      uri: direct:deactivate
                      steps:
                        - to: kamelet:scim-deactivate-user-action
                """;
        Map<String, String> properties = Map.of(
                "camel.kamelet.scim-deactivate-user-action.baseUrl", SCIM.baseUrl() + "/scim/v2",
                "camel.kamelet.scim-deactivate-user-action.lookupToken", LOOKUP_TOKEN,
                "camel.kamelet.scim-deactivate-user-action.suspendToken", SUSPEND_TOKEN,
                "camel.kamelet.scim-deactivate-user-action.maxRetries", "0");
        try (CamelHarness camel = CamelHarness.start(properties, routes)) {
            JsonNode outcome = Fixtures.json(camel.producer().requestBody("direct:deactivate",
                    "{\"kind\": \"user\", \"login\": \"bjensen@example.com\"}", String.class));

            assertThat(outcome.path("status").asText()).isEqualTo("succeeded");
            assertThat(outcome.path("verb").asText()).isEqualTo("suspend");
        }
        SCIM.verify(getRequestedFor(urlPathEqualTo(USERS_PATH)).withHeader("Authorization", equalTo("Bearer " + LOOKUP_TOKEN)));
        SCIM.verify(patchRequestedFor(urlPathEqualTo(USER_PATH)).withHeader("Authorization", equalTo("Bearer " + SUSPEND_TOKEN)));
    }

    private static ObjectNode user(boolean active) {
        ObjectNode user = (ObjectNode) Fixtures.json(Fixtures.text("scim/user.json"));
        user.put("active", active);
        return user;
    }

    private static String list(JsonNode user) {
        ObjectNode list = Fixtures.JSON.createObjectNode();
        list.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:ListResponse");
        list.put("totalResults", 1).put("itemsPerPage", 1).put("startIndex", 1);
        list.putArray("Resources").add(user);
        return list.toString();
    }

    private static ResponseDefinitionBuilder scimJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/scim+json").withBody(body);
    }
}
