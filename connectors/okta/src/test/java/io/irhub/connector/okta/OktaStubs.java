package io.irhub.connector.okta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit.Stubbing;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A fake Okta org fed with Okta's documented payloads ({@code src/test/resources/okta/}), and the service apps the
 * tests configure. Keys are generated per test run; none is committed.
 */
final class OktaStubs {
    static final String LOGIN = "isaac.brock@example.com";
    static final String USER_ID = "00ub0oNGTSWTBKOLGLNR";
    static final String USER_PATH = "/api/v1/users/isaac.brock%40example.com";
    static final String SUSPEND_PATH = "/api/v1/users/" + USER_ID + "/lifecycle/suspend";
    static final String UNSUSPEND_PATH = "/api/v1/users/" + USER_ID + "/lifecycle/unsuspend";
    static final String DEACTIVATE_PATH = "/api/v1/users/" + USER_ID + "/lifecycle/deactivate";
    static final String SESSIONS_PATH = "/api/v1/users/" + USER_ID + "/sessions";
    static final String TOKEN_PATH = "/oauth2/v1/token";

    /** A service app as configured: its client id, its key pair and the variable its private key is read from. */
    record App(String clientId, KeyPair keys, String variable) {
        String pem() {
            return OktaStubs.pem(keys);
        }
    }

    static final App DEFAULT_APP = new App("0oa-default-app", rsa(), "OKTA_PRIVATE_KEY");
    static final App LOOKUP_APP = new App("0oa-lookup-app", rsa(), "OKTA_LOOKUP_PRIVATE_KEY");
    static final App SUSPEND_APP = new App("0oa-suspend-app", rsa(), "OKTA_SUSPEND_PRIVATE_KEY");
    static final App RESTORE_APP = new App("0oa-restore-app", rsa(), "OKTA_RESTORE_PRIVATE_KEY");
    static final App DEACTIVATE_APP = new App("0oa-deactivate-app", rsa(), "OKTA_DEACTIVATE_PRIVATE_KEY");
    static final List<App> APPS = List.of(DEFAULT_APP, LOOKUP_APP, SUSPEND_APP, RESTORE_APP, DEACTIVATE_APP);
    static final List<String> CREDENTIALS = List.of("lookup", "suspend", "restore", "deactivate");

    private static final ObjectMapper JSON = new ObjectMapper();

    private OktaStubs() {
    }

    /** The app configured for a credential ({@code lookup}, {@code suspend}, …) by {@link #config}. */
    static App app(String credential) {
        return switch (credential) {
            case "lookup" -> LOOKUP_APP;
            case "suspend" -> SUSPEND_APP;
            case "restore" -> RESTORE_APP;
            case "deactivate" -> DEACTIVATE_APP;
            default -> throw new IllegalArgumentException(credential);
        };
    }

    /** The credential whose app {@link #config} set apart, or {@code default}. */
    static String credentialOf(App app) {
        return app == DEFAULT_APP ? "default" : app.clientId().replace("0oa-", "").replace("-app", "");
    }

    static String scope(String credential) {
        return credential.equals("lookup") ? "okta.users.read" : "okta.users.manage";
    }

    /**
     * A default app plus a separate app for each credential, secrets as references into {@link #environment()}.
     */
    static Map<String, Object> config(String baseUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put("org-url", baseUrl);
        config.put("client-id", DEFAULT_APP.clientId());
        config.put("private-key", "${env:" + DEFAULT_APP.variable() + "}");
        for (String credential : CREDENTIALS) {
            config.put(credential + "-client-id", app(credential).clientId());
            config.put(credential + "-private-key", "${env:" + app(credential).variable() + "}");
        }
        return config;
    }

    static Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        APPS.forEach(app -> environment.put(app.variable(), app.pem()));
        return Map.copyOf(environment);
    }

    /**
     * Answers each app's token request with its own access token, {@code access-token-<credential>} (the default
     * app's is {@code access-token-default}), so a test can tell which app's token a call carried. The app is known
     * by the client assertion's issuer.
     */
    static void stubTokens(Stubbing okta) {
        for (App app : APPS) {
            for (String scope : List.of("okta.users.read", "okta.users.manage")) {
                okta.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                        .withRequestBody(containing("scope=" + scope))
                        .andMatching(request -> MatchResult.of(app.clientId().equals(issuer(request))))
                        .willReturn(okJson(token(credentialOf(app), scope, "Bearer"))));
            }
        }
    }

    static String token(String credential, String scope, String type) {
        ObjectNode token = (ObjectNode) read("token.json");
        token.put("token_type", type);
        token.put("access_token", "access-token-" + credential);
        token.put("scope", scope);
        return token.toString();
    }

    /** The {@code iss} of a token request's client assertion, or {@code null}. */
    static String issuer(Request tokenRequest) {
        String assertion = form(tokenRequest.getBodyAsString()).get("client_assertion");
        try {
            return assertion == null ? null : SignedJWT.parse(assertion).getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            return null;
        }
    }

    static void stubUser(Stubbing okta, String path, String status) {
        okta.stubFor(get(urlPathEqualTo(path)).willReturn(okJson(user(status))));
    }

    static String user(String status) {
        ObjectNode user = (ObjectNode) read("user.json");
        user.put("status", status);
        return user.toString();
    }

    static void stubSuspend(Stubbing okta) {
        // Okta answers a suspend with an empty object
        okta.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(okJson("{}")));
    }

    static void stubUnsuspend(Stubbing okta) {
        okta.stubFor(post(urlPathEqualTo(UNSUSPEND_PATH)).willReturn(okJson("{}")));
    }

    static void stubDeactivate(Stubbing okta) {
        okta.stubFor(post(urlPathEqualTo(DEACTIVATE_PATH)).willReturn(okJson("{}")));
    }

    static void stubClearSessions(Stubbing okta) {
        okta.stubFor(delete(urlPathEqualTo(SESSIONS_PATH)).willReturn(aResponse().withStatus(204)));
    }

    static ResponseDefinitionBuilder error(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(fixture(fixture));
    }

    /** Okta's 429: E0000047 and the rate-limit headers, resetting {@code retryAfter} from now (rounded up). */
    static ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        long reset = (Instant.now().plus(retryAfter).toEpochMilli() + 999) / 1000;
        return error(429, "error-rate-limit.json")
                .withHeader("X-Rate-Limit-Limit", "600")
                .withHeader("X-Rate-Limit-Remaining", "0")
                .withHeader("X-Rate-Limit-Reset", Long.toString(reset));
    }

    static List<LoggedRequest> tokenRequests(Stubbing okta) {
        return okta.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
    }

    static Map<String, String> form(LoggedRequest request) {
        return form(request.getBodyAsString());
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return form;
    }

    static SignedJWT assertion(LoggedRequest tokenRequest) {
        try {
            return SignedJWT.parse(form(tokenRequest).get("client_assertion"));
        } catch (ParseException e) {
            throw new AssertionError("client_assertion is not a JWT", e);
        }
    }

    static String fixture(String name) {
        try (InputStream in = OktaStubs.class.getResourceAsStream("/okta/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture okta/" + name);
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

    static KeyPair rsa() {
        return rsa(2048);
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM PKCS#8, as {@code openssl genpkey} writes it. */
    static String pem(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
