package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vault Kamelets against a stand-in Vault fed with Vault's documented payloads: a lease revoked through an
 * AppRole, a token revoked by accessor with a token kept in a file (a Vault Agent sink), each looked up first.
 */
class VaultKameletsTest {
    private static final String LEASE_ID = "database/creds/readonly/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6";
    private static final String ACCESSOR = "8609694a-cdbc-db9b-d345-e782dbb562ed";
    private static final String ROLE_ID = "6a1c4e2f-irhub-revoke-role";
    private static final String SECRET_ID = "3c9f1e7a-revoke-secret-id-do-not-log";
    private static final String FILE_TOKEN = "hvs.revoke-file-token-do-not-log";
    private static final String ISSUED_TOKEN = "hvs.CAESIJ-test-fixture-not-a-real-token";

    @RegisterExtension
    static final WireMockExtension VAULT = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @TempDir
    static Path secrets;

    @AfterAll
    static void noSecretInLogs() {
        SecretsInLogs.assertAbsent(List.of(SECRET_ID, FILE_TOKEN));
    }

    @Test
    void revokesALeaseThroughTheAppRole() throws Exception {
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/approle/login"))
                .withRequestBody(matchingJsonPath("$.role_id", equalTo(ROLE_ID)))
                .withRequestBody(matchingJsonPath("$.secret_id", equalTo(SECRET_ID)))
                .willReturn(okJson(Fixtures.text("vault/approle-login.json"))));
        VAULT.stubFor(put(urlPathEqualTo("/v1/sys/leases/lookup"))
                .withRequestBody(matchingJsonPath("$.lease_id", equalTo(LEASE_ID)))
                .willReturn(okJson(Fixtures.text("vault/lease-lookup.json"))));
        VAULT.stubFor(put(urlPathEqualTo("/v1/sys/leases/revoke")).willReturn(aResponse().withStatus(204)));
        String routes = """
                - route:
                    from:
                      uri: direct:revoke
                      steps:
                        - to: kamelet:vault-revoke-lease-action
                """;
        Map<String, String> properties = Map.of(
                "camel.kamelet.vault-revoke-lease-action.address", VAULT.baseUrl(),
                "camel.kamelet.vault-revoke-lease-action.revokeRoleId", ROLE_ID,
                "camel.kamelet.vault-revoke-lease-action.revokeSecretId", SECRET_ID);
        try (CamelHarness camel = CamelHarness.start(properties, routes)) {
            // kind defaults to secret: this Kamelet acts on leases only
            JsonNode outcome = Fixtures.json(camel.producer().requestBody("direct:revoke",
                    "{\"external_id\": \"" + LEASE_ID + "\"}", String.class));

            assertThat(outcome.path("status").asText()).isEqualTo("succeeded");
            assertThat(outcome.path("identity").path("kind").asText()).isEqualTo("secret");
        }
        VAULT.verify(putRequestedFor(urlPathEqualTo("/v1/sys/leases/revoke"))
                .withHeader("X-Vault-Token", equalTo(ISSUED_TOKEN))
                .withRequestBody(matchingJsonPath("$.lease_id", equalTo(LEASE_ID)))
                .withRequestBody(matchingJsonPath("$.sync", equalTo("true"))));
    }

    @Test
    void anUnknownLeaseIsRefusedNotReportedDone() throws Exception {
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/approle/login"))
                .willReturn(okJson(Fixtures.text("vault/approle-login.json"))));
        VAULT.stubFor(put(urlPathEqualTo("/v1/sys/leases/lookup")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.text("vault/error-invalid-lease.json"))));
        String routes = """
                - route:
                    from:
                      uri: direct:revoke
                      steps:
                        - to: kamelet:vault-revoke-lease-action
                """;
        Map<String, String> properties = Map.of(
                "camel.kamelet.vault-revoke-lease-action.address", VAULT.baseUrl(),
                "camel.kamelet.vault-revoke-lease-action.revokeRoleId", ROLE_ID,
                "camel.kamelet.vault-revoke-lease-action.revokeSecretId", SECRET_ID);
        try (CamelHarness camel = CamelHarness.start(properties, routes)) {
            var exchange = camel.producer().request("direct:revoke", e -> e.getMessage().setBody(LEASE_ID));

            assertThat(exchange.getException()).isNull();
            assertThat(exchange.getMessage().getHeader(TargetAction.OUTCOME_STATUS)).isEqualTo("refused");
        }
        assertThat(VAULT.findAll(putRequestedFor(urlPathEqualTo("/v1/sys/leases/revoke")))).isEmpty();
    }

    @Test
    void revokesATokenByAccessorWithATokenFromAFile() throws Exception {
        Path tokenFile = Files.writeString(secrets.resolve("vault-revoke-token"), FILE_TOKEN + "\n");
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/token/lookup-accessor"))
                .withRequestBody(matchingJsonPath("$.accessor", equalTo(ACCESSOR)))
                .willReturn(okJson(Fixtures.text("vault/token-lookup-accessor.json"))));
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/token/revoke-accessor")).willReturn(aResponse().withStatus(204)));
        String routes = """
                - route:
                    from:
                      uri: direct:revoke
                      steps:
                        - to: kamelet:vault-revoke-token-action
                        - to: mock:revoked
                """;
        // a reference is passed to the connector as written, so the token itself never passes through Camel
        Map<String, String> properties = Map.of(
                "camel.kamelet.vault-revoke-token-action.address", VAULT.baseUrl(),
                "camel.kamelet.vault-revoke-token-action.revokeToken", "${file:" + tokenFile + "}");
        try (CamelHarness camel = CamelHarness.start(properties, routes)) {
            camel.mock("revoked").expectedHeaderReceived(TargetAction.OUTCOME_STATUS, "succeeded");

            camel.producer().sendBody("direct:revoke", "{\"kind\": \"api-token\", \"external_id\": \"" + ACCESSOR + "\"}");

            camel.mock("revoked").assertIsSatisfied();
        }
        VAULT.verify(postRequestedFor(urlPathEqualTo("/v1/auth/token/revoke-accessor"))
                .withHeader("X-Vault-Token", equalTo(FILE_TOKEN))
                .withRequestBody(matchingJsonPath("$.accessor", equalTo(ACCESSOR))));
    }
}
