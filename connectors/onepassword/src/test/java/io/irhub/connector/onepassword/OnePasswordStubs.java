package io.irhub.connector.onepassword;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A fake 1Password Users API fed with the documented payloads ({@code src/test/resources/onepassword/}), and the
 * OAuth applications the tests configure, one per capability.
 */
final class OnePasswordStubs {
    static final String ACCOUNT = "ACCOUNT123";
    static final String EMAIL = "wendy_appleseed@agilebits.com";
    static final String USER_ID = "IR7VJHJ36JHINBFAD7V2T5MP3E";
    static final String TOKEN_PATH = "/v1beta1/users/oauth2/token";
    static final String USERS_PATH = "/v1beta1/accounts/" + ACCOUNT + "/users";
    static final String USER_PATH = USERS_PATH + "/" + USER_ID;
    static final String SUSPEND_PATH = USER_PATH + ":suspend";
    static final String REACTIVATE_PATH = USER_PATH + ":reactivate";
    static final String NEXT_PAGE = "CAIQAg";

    /** An OAuth application as configured: its client id, the variable its secret is read from, and the secret. */
    record App(String credential, String clientId, String variable, String secret) {
        String basic() {
            return "Basic " + Base64.getEncoder()
                    .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        }

        /** The access token the fake token endpoint issues to this application. */
        String accessToken() {
            return "access-token-" + credential;
        }
    }

    static final App LOOKUP_APP = new App("lookup", "lookup-app-0d3f6a21", "OP_LOOKUP_CLIENT_SECRET",
            "lookup-secret-9d1c2e7f4a");
    static final App SUSPEND_APP = new App("suspend", "suspend-app-7c1d0e52", "OP_SUSPEND_CLIENT_SECRET",
            "suspend-secret-b8e2f1a04c");
    static final App REACTIVATE_APP = new App("reactivate", "reactivate-app-a1e28b04", "OP_REACTIVATE_CLIENT_SECRET",
            "reactivate-secret-3d4e5f6a7b");
    static final List<App> APPS = List.of(LOOKUP_APP, SUSPEND_APP, REACTIVATE_APP);

    private static final ObjectMapper JSON = new ObjectMapper();

    private OnePasswordStubs() {
    }

    static App app(String credential) {
        return APPS.stream().filter(a -> a.credential().equals(credential)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(credential));
    }

    /** One application per capability, secrets as references into {@link #environment()}. */
    static Map<String, Object> config(String baseUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put("base-url", baseUrl);
        config.put("account-id", ACCOUNT);
        for (App app : APPS) {
            config.put(app.credential() + "-client-id", app.clientId());
            config.put(app.credential() + "-client-secret", "${env:" + app.variable() + "}");
        }
        return config;
    }

    static Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        APPS.forEach(app -> environment.put(app.variable(), app.secret()));
        return environment;
    }

    /** Answers each application's token request, told apart by its HTTP Basic credentials, with its own token. */
    static void stubTokens(WireMockExtension onePassword) {
        for (App app : APPS) {
            onePassword.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                    .withHeader("Authorization", equalTo(app.basic()))
                    .willReturn(okJson(token(app.accessToken()))));
        }
    }

    static String token(String accessToken) {
        ObjectNode token = (ObjectNode) read("token.json");
        token.put("access_token", accessToken);
        return token.toString();
    }

    static String user(String state) {
        ObjectNode user = (ObjectNode) read("user.json");
        user.put("state", state);
        return user.toString();
    }

    /** A one-page list holding the user in {@code state}. */
    static void stubList(WireMockExtension onePassword, String state) {
        ObjectNode user = (ObjectNode) read("user.json");
        user.put("state", state);
        ObjectNode page = JSON.createObjectNode();
        page.putArray("results").add(user);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(page.toString())));
    }

    /** Two pages: the user is on the second, after two others. */
    static void stubTwoPages(WireMockExtension onePassword) {
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("page_token", absent())
                .willReturn(okJson(fixture("users-page-1.json"))));
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("page_token", equalTo(NEXT_PAGE))
                .willReturn(okJson(fixture("users-page-2.json"))));
    }

    /** The first page of {@link #stubTwoPages}, and a last page without the user. */
    static void stubTwoPagesWithoutTheUser(WireMockExtension onePassword) {
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("page_token", absent())
                .willReturn(okJson(fixture("users-page-1.json"))));
        ObjectNode last = (ObjectNode) read("users-page-2.json");
        ((ArrayNode) last.get("results")).removeAll();
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).withQueryParam("page_token", equalTo(NEXT_PAGE))
                .willReturn(okJson(last.toString())));
    }

    static void stubUser(WireMockExtension onePassword, String state) {
        onePassword.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(user(state))));
    }

    /** The documented answer: the updated User object. */
    static void stubSuspend(WireMockExtension onePassword) {
        onePassword.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(okJson(user("SUSPENDED"))));
    }

    static void stubReactivate(WireMockExtension onePassword) {
        onePassword.stubFor(post(urlPathEqualTo(REACTIVATE_PATH)).willReturn(okJson(user("ACTIVE"))));
    }

    static ResponseDefinitionBuilder error(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(fixture(fixture));
    }

    /** A 429 asking to wait {@code retryAfter}, in whole seconds, rounded up. */
    static ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        long seconds = (retryAfter.toMillis() + 999) / 1000;
        return error(429, "error-rate-limit.json").withHeader("Retry-After", Long.toString(seconds));
    }

    static List<LoggedRequest> tokenRequests(WireMockExtension onePassword, App app) {
        return onePassword.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))
                .withHeader("Authorization", equalTo(app.basic())));
    }

    /** {@code client_id:client_secret} from an HTTP Basic header. */
    static String decodeBasic(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            throw new AssertionError("not HTTP Basic: " + authorization);
        }
        return new String(Base64.getDecoder().decode(authorization.substring("Basic ".length())),
                StandardCharsets.UTF_8);
    }

    static String fixture(String name) {
        try (InputStream in = OnePasswordStubs.class.getResourceAsStream("/onepassword/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture onepassword/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(String fixture) {
        try {
            return JSON.readTree(fixture(fixture));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
