package io.irhub.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/** Vault's HTTP API at the network edge: a token accessor that the revoke credential (and only it) can revoke. */
final class VaultStandIn implements AutoCloseable {
    static final String REVOKE_TOKEN = "hvs.revoke-credential-for-tests";
    static final String ROTATE_TOKEN = "hvs.rotate-credential-for-tests";

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    VaultStandIn(String accessor) {
        server.start();
        server.stubFor(post(urlPathEqualTo("/v1/auth/token/lookup-accessor")).withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN))
                .withRequestBody(equalToJson("{\"accessor\":\"" + accessor + "\"}"))
                .willReturn(okJson("{\"request_id\":\"r1\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
                        + "\"data\":{\"accessor\":\"" + accessor + "\",\"display_name\":\"token-ci\",\"policies\":[\"default\"],"
                        + "\"ttl\":2764800},\"warnings\":null,\"auth\":null}")));
        server.stubFor(post(urlPathEqualTo("/v1/auth/token/revoke-accessor")).withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN))
                .withRequestBody(equalToJson("{\"accessor\":\"" + accessor + "\"}"))
                .willReturn(aResponse().withStatus(204)));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    List<LoggedRequest> requests(String method, String path) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop();
    }
}
