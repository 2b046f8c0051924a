package io.irhub.connector.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * A fake Vault fed with Vault's documented payloads ({@code src/test/resources/vault/}), and the credentials the
 * tests configure: the revoke credential is an AppRole, the rotate credential a token in a file.
 */
final class VaultStubs {
    static final String LEASE_ID = "database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6";
    static final String ACCESSOR = "8609694a-cdbc-db9b-d345-e782dbb562ed";
    static final String STATIC_ROLE = "database/static-roles/billing-app";

    static final String LOGIN_PATH = "/v1/auth/approle/login";
    static final String RENEW_SELF_PATH = "/v1/auth/token/renew-self";
    static final String LEASE_LOOKUP_PATH = "/v1/sys/leases/lookup";
    static final String LEASE_REVOKE_PATH = "/v1/sys/leases/revoke";
    static final String LOOKUP_ACCESSOR_PATH = "/v1/auth/token/lookup-accessor";
    static final String REVOKE_ACCESSOR_PATH = "/v1/auth/token/revoke-accessor";
    static final String ROTATE_ROLE_PATH = "/v1/database/rotate-role/billing-app";

    static final String REVOKE_ROLE_ID = "6a1c4e2f-irhub-revoke-role";
    static final String REVOKE_SECRET_ID_VARIABLE = "VAULT_REVOKE_SECRET_ID";
    static final String REVOKE_SECRET_ID = "3c9f1e7a-revoke-secret-id-do-not-log";
    /** The token the fake Vault issues to the revoke AppRole. */
    static final String REVOKE_TOKEN = "hvs.revoke-approle-issued-token-do-not-log";
    /** The token in the rotate credential's file. */
    static final String ROTATE_TOKEN = "hvs.rotate-file-token-do-not-log";

    private static final ObjectMapper JSON = new ObjectMapper();

    private VaultStubs() {
    }

    /** Writes the rotate credential's token file, as a Vault Agent sink would (with a trailing newline). */
    static Path writeRotateTokenFile(Path directory) {
        try {
            return Files.writeString(directory.resolve("vault-rotate-token"), ROTATE_TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Revoke through an AppRole, rotate through a token file. */
    static Map<String, Object> config(String baseUrl, Path rotateTokenFile) {
        Map<String, Object> config = new HashMap<>();
        config.put("address", baseUrl);
        config.put("revoke-role-id", REVOKE_ROLE_ID);
        config.put("revoke-secret-id", "${env:" + REVOKE_SECRET_ID_VARIABLE + "}");
        config.put("rotate-token", "${file:" + rotateTokenFile + "}");
        return config;
    }

    /**
     * The secret id the revoke AppRole's reference resolves to. The tokens are there too, though nothing resolves
     * them from the environment: the contract checks that none of these values reaches a log line or an outcome.
     */
    static Map<String, String> environment() {
        return Map.of(REVOKE_SECRET_ID_VARIABLE, REVOKE_SECRET_ID,
                "ISSUED_REVOKE_TOKEN", REVOKE_TOKEN,
                "ROTATE_TOKEN_FILE_CONTENT", ROTATE_TOKEN);
    }

    /** The revoke AppRole's login, answered with {@code token}, {@code leaseSeconds} and {@code renewable}. */
    static void stubLogin(WireMockExtension vault, String token, long leaseSeconds, boolean renewable) {
        vault.stubFor(post(urlPathEqualTo(LOGIN_PATH))
                .withRequestBody(matchingJsonPath("$.role_id", equalTo(REVOKE_ROLE_ID)))
                .withRequestBody(matchingJsonPath("$.secret_id", equalTo(REVOKE_SECRET_ID)))
                .willReturn(okJson(auth("approle-login.json", token, leaseSeconds, renewable))));
    }

    static void stubLogin(WireMockExtension vault) {
        stubLogin(vault, REVOKE_TOKEN, 1200, true);
    }

    static String auth(String fixture, String token, long leaseSeconds, boolean renewable) {
        ObjectNode body = (ObjectNode) read(fixture);
        ((ObjectNode) body.get("auth")).put("client_token", token).put("lease_duration", leaseSeconds)
                .put("renewable", renewable);
        return body.toString();
    }

    static void stubLeaseRevoke(WireMockExtension vault) {
        vault.stubFor(put(urlPathEqualTo(LEASE_LOOKUP_PATH))
                .withRequestBody(matchingJsonPath("$.lease_id", equalTo(LEASE_ID)))
                .willReturn(okJson(fixture("lease-lookup.json"))));
        vault.stubFor(put(urlPathEqualTo(LEASE_REVOKE_PATH))
                .withRequestBody(matchingJsonPath("$.lease_id", equalTo(LEASE_ID)))
                .willReturn(aResponse().withStatus(204)));
    }

    static void stubAccessorRevoke(WireMockExtension vault) {
        vault.stubFor(post(urlPathEqualTo(LOOKUP_ACCESSOR_PATH))
                .withRequestBody(matchingJsonPath("$.accessor", equalTo(ACCESSOR)))
                .willReturn(okJson(fixture("token-lookup-accessor.json"))));
        vault.stubFor(post(urlPathEqualTo(REVOKE_ACCESSOR_PATH))
                .withRequestBody(matchingJsonPath("$.accessor", equalTo(ACCESSOR)))
                .willReturn(aResponse().withStatus(204)));
    }

    static void stubRotateRole(WireMockExtension vault) {
        vault.stubFor(post(urlPathEqualTo(ROTATE_ROLE_PATH)).willReturn(aResponse().withStatus(204)));
    }

    static ResponseDefinitionBuilder error(int status, String fixture) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(fixture(fixture));
    }

    /**
     * A rate limit quota's 429 with {@code enable_rate_limit_response_headers}: Vault's message and whole seconds in
     * {@code Retry-After} and {@code X-Ratelimit-Reset} (rounded up here, so the contract's minimum gap holds).
     */
    static ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        String seconds = Long.toString((retryAfter.toMillis() + 999) / 1000);
        return error(429, "error-rate-limit.json")
                .withHeader("Retry-After", seconds)
                .withHeader("X-Ratelimit-Limit", "20")
                .withHeader("X-Ratelimit-Remaining", "0")
                .withHeader("X-Ratelimit-Reset", seconds);
    }

    static List<LoggedRequest> logins(WireMockExtension vault) {
        return vault.findAll(postRequestedFor(urlPathEqualTo(LOGIN_PATH)));
    }

    static String fixture(String name) {
        try (InputStream in = VaultStubs.class.getResourceAsStream("/vault/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture vault/" + name);
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

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
