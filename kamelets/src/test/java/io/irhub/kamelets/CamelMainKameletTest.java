package io.irhub.kamelets;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * The README's Camel Main set-up: {@code camel.component.kamelet.location=classpath:kamelets}, Kamelet properties in
 * {@code application.properties} ({@code src/test/resources/main/}) and a YAML route that uses the Kamelet.
 */
class CamelMainKameletTest {
    @RegisterExtension
    static final WireMockExtension VAULT = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @TempDir
    Path secrets;

    @Test
    void aMainApplicationRevokesATokenThroughTheKamelet() throws Exception {
        Path token = Files.writeString(secrets.resolve("revoke-token"), "hvs.main-revoke-token\n");
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/token/lookup-accessor"))
                .willReturn(okJson(Fixtures.text("vault/token-lookup-accessor.json"))));
        VAULT.stubFor(post(urlPathEqualTo("/v1/auth/token/revoke-accessor")).willReturn(aResponse().withStatus(204)));

        Main main = new Main();
        main.setPropertyPlaceholderLocations("classpath:main/application.properties");
        main.addInitialProperty("vault.address", VAULT.baseUrl());
        main.addInitialProperty("vault.revoke-token", "${file:" + token + "}");
        main.start();
        try {
            MockEndpoint revoked = main.getCamelContext().getEndpoint("mock:revoked", MockEndpoint.class);
            revoked.expectedHeaderReceived(TargetAction.OUTCOME_STATUS, "succeeded");

            main.getCamelContext().createProducerTemplate().sendBody("direct:revoke-token",
                    "{\"kind\": \"api-token\", \"external_id\": \"8609694a-cdbc-db9b-d345-e782dbb562ed\"}");

            revoked.assertIsSatisfied();
        } finally {
            main.stop();
        }
        VAULT.verify(postRequestedFor(urlPathEqualTo("/v1/auth/token/revoke-accessor"))
                .withHeader("X-Vault-Token", equalTo("hvs.main-revoke-token")));
    }
}
