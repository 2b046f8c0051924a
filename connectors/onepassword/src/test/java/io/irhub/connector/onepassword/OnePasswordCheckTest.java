package io.irhub.connector.onepassword;

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
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.onepassword.OnePasswordStubs.LOOKUP_APP;
import static io.irhub.connector.onepassword.OnePasswordStubs.SUSPEND_APP;
import static io.irhub.connector.onepassword.OnePasswordStubs.TOKEN_PATH;
import static io.irhub.connector.onepassword.OnePasswordStubs.USERS_PATH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code irhub connectors check} against a fake 1Password whose token endpoint, like 1Password's, issues a token only
 * to an application's own client id and secret, and answers others {@code 401 invalid_client}.
 */
class OnePasswordCheckTest {

    @RegisterExtension
    static final WireMockExtension onePassword = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final List<String> SUBJECTS = List.of("credential lookup", "credential suspend",
            "credential reactivate", "base-url");

    private final Map<String, String> environment = new HashMap<>(OnePasswordStubs.environment());

    @BeforeEach
    void reset() {
        onePassword.resetAll();
    }

    private List<CheckResult> check(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OnePasswordStubs.config(onePassword.baseUrl()));
        raw.putAll(changes);
        return TargetChecks.run(new OnePasswordConnector(), "onepassword-test", raw, environment, "access-token-");
    }

    private List<CheckResult> check() {
        return check(Map.of());
    }


    /** Each application's own credentials get its token; any other HTTP Basic is refused as 1Password does. */
    private static void stubTokenEndpoint() {
        onePassword.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(10)
                .willReturn(OnePasswordStubs.error(401, "token-error-invalid-client.json")));
        OnePasswordStubs.stubTokens(onePassword);
    }

    @Test
    void everyApplicationGetsATokenAndTheLookupOneListsUsers() {
        stubTokenEndpoint();
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        List<CheckResult> results = check();

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(result(results, "credential suspend").message())
                .contains(SUSPEND_APP.clientId(), "Suspend users", "cannot be checked without changing a user");
        assertThat(result(results, "base-url").message()).contains(LOOKUP_APP.clientId(), OnePasswordStubs.ACCOUNT);
        // a token per application, then one user listed with the lookup token; nothing else
        OnePasswordStubs.APPS.forEach(app ->
                assertThat(OnePasswordStubs.tokenRequests(onePassword, app)).as(app.credential()).hasSize(1));
        onePassword.verify(1, getRequestedFor(urlPathEqualTo(USERS_PATH))
                .withQueryParam("max_page_size", equalTo("1"))
                .withHeader("Authorization", equalTo("Bearer " + LOOKUP_APP.accessToken())));
        assertThat(onePassword.findAll(anyRequestedFor(anyUrl()))).hasSize(4);
    }

    @Test
    void aWrongSecretFailsThatApplicationNamingItsFields() {
        stubTokenEndpoint();
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        environment.put(SUSPEND_APP.variable(), "not-the-suspend-secret-5e1f");

        List<CheckResult> results = check();

        CheckResult suspend = result(results, "credential suspend");
        assertThat(suspend.ok()).isFalse();
        assertThat(suspend.message()).contains("suspend", SUSPEND_APP.clientId(), "invalid_client",
                "suspend-client-secret");
        assertThat(results).filteredOn(r -> !r.subject().equals("credential suspend"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(onePassword.findAll(postRequestedFor(anyUrl()))).allSatisfy(call ->
                assertThat(call.getUrl()).isEqualTo(TOKEN_PATH));
    }

    @Test
    void aLookupApplicationWithoutListUsersFailsTheListingNamingThePermission() {
        stubTokenEndpoint();
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH))
                .willReturn(OnePasswordStubs.error(403, "error-permission-denied.json")));

        List<CheckResult> results = check();

        CheckResult listing = result(results, "base-url");
        assertThat(listing.ok()).isFalse();
        assertThat(listing.message()).contains(LOOKUP_APP.clientId(), "HTTP 403", "lacks a permission",
                "Get user and List users");
        assertThat(results).filteredOn(r -> r.subject().startsWith("credential"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
    }

    @Test
    void anAccountIdOfNoAccountFailsTheListing() {
        stubTokenEndpoint();
        onePassword.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().withStatus(404)));

        CheckResult listing = result(check(Map.of("account-id", "NOSUCHACCOUNT")), "base-url");

        assertThat(listing.ok()).isFalse();
        assertThat(listing.message()).contains("HTTP 404", "check account-id");
    }

    @Test
    void aRefusedLookupApplicationLeavesTheListingUntried() {
        stubTokenEndpoint();
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        environment.put(LOOKUP_APP.variable(), "not-the-lookup-secret-77a0");

        List<CheckResult> results = check();

        assertThat(result(results, "credential lookup").ok()).isFalse();
        assertThat(result(results, "base-url").ok()).isFalse();
        assertThat(result(results, "base-url").message()).contains("were not listed");
        onePassword.verify(0, getRequestedFor(anyUrl()));
    }

    @Test
    void anUnreachableServerFailsEveryResult() {
        List<CheckResult> results = check(Map.of("base-url", "http://127.0.0.1:" + closedPort(),
                "max-retries", "0"));

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isFalse());
        assertThat(result(results, "credential reactivate").message()).contains("cannot reach 1Password",
                "reactivate");
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
