package io.irhub.connector.scim;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.testkit.TargetChecks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.irhub.connector.testkit.TargetChecks.result;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.scim.ScimStubs.USERS_PATH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code irhub connectors check} against a fake SCIM server that, like a least-privilege one, lets the lookup token
 * read users, answers the suspend and restore tokens' reads 403, and any other token 401.
 */
class ScimCheckTest {

    @RegisterExtension
    static final WireMockExtension scim = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final List<String> SUBJECTS = List.of("credential lookup", "credential suspend",
            "credential restore");
    private static final String UNAUTHORIZED = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
            + "\"detail\":\"Authorization failure. The authorization header is invalid or missing.\","
            + "\"status\":\"401\"}";

    private final Map<String, String> environment = new HashMap<>(ScimStubs.environment());

    @BeforeEach
    void reset() {
        scim.resetAll();
    }

    private List<CheckResult> check(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(ScimStubs.config(scim.baseUrl()));
        raw.putAll(changes);
        return TargetChecks.run(new ScimConnector(), "scim-test", raw, environment);
    }

    private List<CheckResult> check() {
        return check(Map.of());
    }


    /** The lookup token reads users; the suspend and restore tokens may not (403); an unknown token gets 401. */
    private static void stubLeastPrivilegeServer() {
        scim.stubFor(any(anyUrl()).atPriority(10).willReturn(ScimStubs.scimJson(401, UNAUTHORIZED)));
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).withHeader("Authorization", equalTo(ScimStubs.bearer("lookup")))
                .willReturn(ScimStubs.scimJson(200, ScimStubs.page(3, ScimStubs.user(true)))));
        for (String credential : List.of("suspend", "restore")) {
            scim.stubFor(get(urlPathEqualTo(USERS_PATH))
                    .withHeader("Authorization", equalTo(ScimStubs.bearer(credential)))
                    .willReturn(ScimStubs.error(403, "error-forbidden.json")));
        }
    }

    @Test
    void everyTokenIsAcceptedAndTheLookupTokenReadsUsers() {
        stubLeastPrivilegeServer();

        List<CheckResult> results = check();

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(result(results, "credential lookup").message()).contains("lookup-token", "read users");
        assertThat(result(results, "credential suspend").message()).contains("suspend-token", "HTTP 403, not 401",
                "set active to false", "cannot be checked without changing a user");
        // one read of one user per token, and nothing else
        for (String credential : List.of("lookup", "suspend", "restore")) {
            scim.verify(1, getRequestedFor(urlPathEqualTo(USERS_PATH)).withQueryParam("count", equalTo("1"))
                    .withHeader("Authorization", equalTo(ScimStubs.bearer(credential))));
        }
        assertThat(scim.findAll(anyRequestedFor(anyUrl()))).hasSize(3);
    }

    @Test
    void aTokenTheServerDoesNotKnowFailsThatCredential() {
        stubLeastPrivilegeServer();
        environment.put(ScimStubs.variable("restore"), "scim-restore-revoked-4f1a");

        List<CheckResult> results = check();

        CheckResult restore = result(results, "credential restore");
        assertThat(restore.ok()).isFalse();
        assertThat(restore.message()).contains("restore-token", "HTTP 401", "check the secret");
        assertThat(results).filteredOn(r -> !r.subject().equals("credential restore"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
    }

    @Test
    void aLookupTokenThatMayNotReadUsersFails() {
        stubLeastPrivilegeServer();
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).atPriority(1)
                .withHeader("Authorization", equalTo(ScimStubs.bearer("lookup")))
                .willReturn(ScimStubs.error(403, "error-forbidden.json")));

        CheckResult lookup = result(check(), "credential lookup");

        assertThat(lookup.ok()).isFalse();
        assertThat(lookup.message()).contains("lookup-token", "HTTP 403", "allow the token to read users");
    }

    @Test
    void aBaseUrlWithoutUsersFailsEveryTokenNamingBaseUrl() {
        scim.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)));

        List<CheckResult> results = check();

        assertThat(results).allSatisfy(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.message()).contains("HTTP 404", "check base-url");
        });
    }

    @Test
    void aPageThatIsNotScimFailsTheLookupToken() {
        scim.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>Sign in</body></html>")));

        CheckResult lookup = result(check(), "credential lookup");

        assertThat(lookup.ok()).isFalse();
        assertThat(lookup.message()).contains("no SCIM ListResponse", "check base-url");
    }

    @Test
    void anUnreachableServerFailsEveryToken() {
        List<CheckResult> results = check(Map.of("base-url", "http://127.0.0.1:" + closedPort() + "/scim/v2",
                "max-retries", "0"));

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isFalse());
        assertThat(result(results, "credential suspend").message()).contains("suspend-token could not be checked",
                "cannot reach the SCIM server");
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
