package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A fake SCIM service provider fed with RFC 7643/7644's documented payloads ({@code src/test/resources/scim/}: the
 * RFC's Barbara Jensen, its error messages), and the tokens the tests configure.
 */
final class ScimStubs {
    static final String LOGIN = "bjensen@example.com";
    static final String USER_ID = "2819c223-7f76-453a-919d-413861904646";
    static final String BASE_PATH = "/scim/v2";
    static final String USERS_PATH = BASE_PATH + "/Users";
    static final String USER_PATH = USERS_PATH + "/" + USER_ID;
    static final String SCIM_JSON = "application/scim+json";

    private static final ObjectMapper JSON = new ObjectMapper();
    // fresh per run, so that a token found in a log line can only have come from the connector
    private static final Map<String, String> TOKENS = Map.of(
            "lookup", "scim-lookup-" + UUID.randomUUID(),
            "suspend", "scim-suspend-" + UUID.randomUUID(),
            "restore", "scim-restore-" + UUID.randomUUID());

    private ScimStubs() {
    }

    /** Base URL {@code baseUrl}/scim/v2; each token a reference into {@link #environment()}. */
    static Map<String, Object> config(String baseUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put("base-url", baseUrl + BASE_PATH);
        for (String credential : TOKENS.keySet()) {
            config.put(credential + "-token", "${env:" + variable(credential) + "}");
        }
        return config;
    }

    static Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        TOKENS.forEach((credential, token) -> environment.put(variable(credential), token));
        return environment;
    }

    static String variable(String credential) {
        return "SCIM_" + credential.toUpperCase(Locale.ROOT) + "_TOKEN";
    }

    static String token(String credential) {
        return TOKENS.get(credential);
    }

    static String bearer(String credential) {
        return "Bearer " + token(credential);
    }

    /** RFC 7643 §8.2's user with {@code active} set. */
    static ObjectNode user(boolean active) {
        ObjectNode user = (ObjectNode) read("user.json");
        user.put("active", active);
        return user;
    }

    /** A ListResponse (RFC 7644 §3.4.2) of the given resources. */
    static String list(JsonNode... resources) {
        return page(resources.length, resources);
    }

    /** The first page of a ListResponse of {@code totalResults}. */
    static String page(int totalResults, JsonNode... resources) {
        ObjectNode list = JSON.createObjectNode();
        list.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:ListResponse");
        list.put("totalResults", totalResults);
        list.put("itemsPerPage", resources.length);
        list.put("startIndex", 1);
        ArrayNode array = list.putArray("Resources");
        for (JsonNode resource : resources) {
            array.add(resource);
        }
        return list.toString();
    }

    static ResponseDefinitionBuilder scimJson(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", SCIM_JSON).withBody(body);
    }

    /** Answers {@code GET /Users?filter=<filter>} with the given list. */
    static void stubSearch(WireMockExtension scim, String filter, String list) {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("filter", equalTo(filter))
                .willReturn(scimJson(200, list)));
    }

    /** Barbara Jensen is found by her userName, {@code active} as given. */
    static void stubFound(WireMockExtension scim, boolean active) {
        stubSearch(scim, "userName eq \"" + LOGIN + "\"", list(user(active)));
    }

    /** Answers the PATCH that sets {@code active} to {@code active} with 200 and the changed user. */
    static void stubPatch(WireMockExtension scim, boolean active) {
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).withRequestBody(equalToJson(patchBody(active)))
                .willReturn(scimJson(200, user(active).toString())));
    }

    static String patchBody(boolean active) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":" + active + "}]}";
    }

    static ResponseDefinitionBuilder error(int status, String fixture) {
        return scimJson(status, fixture(fixture));
    }

    /** A 429 asking to retry after {@code retryAfter} (whole seconds, rounded up). */
    static ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        long seconds = (retryAfter.toMillis() + 999) / 1000;
        return error(429, "error-too-many-requests.json").withHeader("Retry-After", Long.toString(seconds));
    }

    static String fixture(String name) {
        try (InputStream in = ScimStubs.class.getResourceAsStream("/scim/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture scim/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(String fixture) {
        try {
            return JSON.readTree(fixture(fixture));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
