package io.irhub.connector.okta;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.testkit.TargetChecks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.irhub.connector.testkit.TargetChecks.result;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.okta.OktaStubs.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code irhub connectors check} against a fake Okta org whose token endpoint, like Okta's, issues a token only to a
 * client assertion signed with the key registered for the app, and only with a scope granted to the app.
 */
class OktaCheckTest {

    @RegisterExtension
    static final WireMockExtension okta = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String USERS_PATH = "/api/v1/users";
    private static final List<String> SUBJECTS = List.of("credential lookup", "credential suspend",
            "credential restore", "credential deactivate", "org-url");

    private final Map<String, String> environment = new HashMap<>(OktaStubs.environment());

    @BeforeEach
    void reset() {
        okta.resetAll();
    }

    private List<CheckResult> check(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OktaStubs.config(okta.baseUrl()));
        raw.putAll(changes);
        return checkWith(raw);
    }

    private List<CheckResult> check() {
        return check(Map.of());
    }

    private List<CheckResult> checkWith(Map<String, Object> raw) {
        return TargetChecks.run(new OktaConnector(), "okta-test", raw, environment, "access-token-");
    }


    /**
     * Every app's token request is answered as Okta would: a token with the scope asked for when the assertion is
     * signed with the app's registered key, else 401 invalid_client.
     */
    private static void stubTokenEndpoint() {
        for (OktaStubs.App app : OktaStubs.APPS) {
            for (String scope : List.of("okta.users.read", "okta.users.manage")) {
                okta.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                        .withRequestBody(containing("scope=" + scope))
                        .andMatching(request -> MatchResult.of(app.clientId().equals(OktaStubs.issuer(request))))
                        .willReturn(okJson(OktaStubs.token(OktaStubs.credentialOf(app), scope, "Bearer"))));
            }
            okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                    .andMatching(request -> MatchResult.of(app.clientId().equals(OktaStubs.issuer(request))
                            && !signedWithRegisteredKey(request.getBodyAsString(), app)))
                    .willReturn(OktaStubs.error(401, "token-error-invalid-client.json")));
        }
    }

    private static boolean signedWithRegisteredKey(String body, OktaStubs.App app) {
        try {
            return SignedJWT.parse(OktaStubs.form(body).get("client_assertion"))
                    .verify(new RSASSAVerifier((RSAPublicKey) app.keys().getPublic()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return false;
        }
    }

    private static void stubUsers() {
        okta.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson("[" + OktaStubs.user("ACTIVE") + "]")));
    }

    @Test
    void everyCredentialGetsItsScopeAndTheLookupAppReadsUsers() {
        stubTokenEndpoint();
        stubUsers();

        List<CheckResult> results = check();

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(result(results, "credential suspend").message())
                .contains(OktaStubs.SUSPEND_APP.clientId(), "okta.users.manage");
        assertThat(result(results, "credential lookup").message())
                .contains(OktaStubs.LOOKUP_APP.clientId(), "okta.users.read");
        // one token request per app, then one read of one user with the lookup token; nothing else
        assertThat(OktaStubs.tokenRequests(okta)).hasSize(4);
        okta.verify(1, getRequestedFor(urlPathEqualTo(USERS_PATH))
                .withQueryParam("limit", equalTo("1"))
                .withHeader("Authorization", equalTo("Bearer access-token-lookup")));
        assertThat(okta.findAll(anyRequestedFor(anyUrl()))).hasSize(5);
    }

    @Test
    void anAppSharedByCredentialsIsAskedOncePerScope() {
        stubTokenEndpoint();
        stubUsers();
        Map<String, Object> onlyTheDefaultApp = new HashMap<>(OktaStubs.config(okta.baseUrl()));
        for (String credential : OktaStubs.CREDENTIALS) {
            onlyTheDefaultApp.remove(credential + "-client-id");
            onlyTheDefaultApp.remove(credential + "-private-key");
        }

        List<CheckResult> results = checkWith(onlyTheDefaultApp);

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(OktaStubs.tokenRequests(okta)).extracting(r -> OktaStubs.form(r).get("scope"))
                .containsExactly("okta.users.read", "okta.users.manage");
        assertThat(result(results, "credential restore").message())
                .contains(OktaStubs.DEFAULT_APP.clientId(), "the same app and scope as suspend");
    }

    @Test
    void aKeyOktaDoesNotKnowFailsThatCredentialNamingItsClientIdButNotTheKey() {
        stubTokenEndpoint();
        stubUsers();
        // the suspend app is configured with a key whose public half was never registered with Okta
        environment.put(OktaStubs.SUSPEND_APP.variable(), OktaStubs.pem(OktaStubs.rsa()));

        List<CheckResult> results = check();

        CheckResult suspend = result(results, "credential suspend");
        assertThat(suspend.ok()).isFalse();
        assertThat(suspend.message()).contains("suspend", OktaStubs.SUSPEND_APP.clientId(), "invalid_client",
                "private key", "key id").doesNotContain("BEGIN PRIVATE KEY");
        assertThat(results).filteredOn(r -> !r.subject().equals("credential suspend"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
    }

    @Test
    void aScopeNotGrantedToTheAppFailsThatCredentialNamingTheScope() {
        stubTokenEndpoint();
        stubUsers();
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                .andMatching(request -> MatchResult.of(
                        OktaStubs.DEACTIVATE_APP.clientId().equals(OktaStubs.issuer(request))))
                .willReturn(OktaStubs.error(400, "token-error-invalid-scope.json")));

        List<CheckResult> results = check();

        CheckResult deactivate = result(results, "credential deactivate");
        assertThat(deactivate.ok()).isFalse();
        assertThat(deactivate.message()).contains("deactivate", OktaStubs.DEACTIVATE_APP.clientId(), "invalid_scope",
                "grant the app the scope okta.users.manage");
        assertThat(results).filteredOn(r -> !r.subject().equals("credential deactivate"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
    }

    @Test
    void aTokenWithoutTheScopeTheCapabilityNeedsFailsThatCredential() {
        stubTokenEndpoint();
        stubUsers();
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                .andMatching(request -> MatchResult.of(
                        OktaStubs.RESTORE_APP.clientId().equals(OktaStubs.issuer(request))))
                .willReturn(okJson(OktaStubs.token("restore", "okta.users.read", "Bearer"))));

        List<CheckResult> results = check();

        CheckResult restore = result(results, "credential restore");
        assertThat(restore.ok()).isFalse();
        assertThat(restore.message()).contains("restore", OktaStubs.RESTORE_APP.clientId(),
                "with scope okta.users.read but not okta.users.manage", "grant the app okta.users.manage");
    }

    @Test
    void aLookupAppWithoutAnAdminRoleFailsTheRead() {
        stubTokenEndpoint();
        okta.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(OktaStubs.error(403, "error-forbidden.json")));

        List<CheckResult> results = check();

        CheckResult read = result(results, "org-url");
        assertThat(read.ok()).isFalse();
        assertThat(read.message()).contains(OktaStubs.LOOKUP_APP.clientId(), "E0000006",
                "the service app has no admin role that covers users");
        assertThat(results).filteredOn(r -> r.subject().startsWith("credential"))
                .allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
    }

    @Test
    void aReadRefusedForLackOfScopeSaysSo() {
        stubTokenEndpoint();
        okta.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("WWW-Authenticate", "Bearer authorization_uri=\"" + okta.baseUrl()
                        + "/oauth2/v1/authorize\", realm=\"" + okta.baseUrl() + "\", scope=\"okta.users.read\", "
                        + "error=\"insufficient_scope\", error_description=\"The access token provided does not "
                        + "contain the required scopes.\", resource=\"/api/v1/users\"")));

        CheckResult read = result(check(), "org-url");

        assertThat(read.ok()).isFalse();
        assertThat(read.message()).contains("insufficient_scope", "okta.users.read");
    }

    @Test
    void anUnreachableOrgFailsEveryResult() {
        List<CheckResult> results = check(Map.of("org-url", "http://127.0.0.1:" + closedPort(),
                "max-retries", "0"));

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isFalse());
        assertThat(result(results, "credential lookup").message()).contains("cannot reach Okta",
                OktaStubs.LOOKUP_APP.clientId());
        assertThat(result(results, "org-url").message()).contains("was not tried");
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
