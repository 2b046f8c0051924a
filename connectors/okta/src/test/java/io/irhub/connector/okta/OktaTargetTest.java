package io.irhub.connector.okta;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionOutcome.Status;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.okta.OktaStubs.LOGIN;
import static io.irhub.connector.okta.OktaStubs.DEACTIVATE_PATH;
import static io.irhub.connector.okta.OktaStubs.SUSPEND_PATH;
import static io.irhub.connector.okta.OktaStubs.TOKEN_PATH;
import static io.irhub.connector.okta.OktaStubs.UNSUSPEND_PATH;
import static io.irhub.connector.okta.OktaStubs.USER_ID;
import static io.irhub.connector.okta.OktaStubs.USER_PATH;
import static org.assertj.core.api.Assertions.assertThat;

class OktaTargetTest {

    @RegisterExtension
    static final WireMockExtension okta = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String USER_AGENT = "irhub/test";

    private final Map<String, String> environment = new HashMap<>(OktaStubs.environment());

    private Target open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OktaStubs.config(okta.baseUrl()));
        raw.putAll(changes);
        ConnectorConfig config = new OktaConnector().configDef()
                .parse("okta-test", raw, SecretResolver.of(environment));
        return new OktaConnector().open("okta-test", config, new ConnectorContext(Clock.systemUTC(), USER_AGENT));
    }

    private Target open() {
        return open(Map.of());
    }

    private static ActionRequest request(Verb verb, String login) {
        return new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "okta-test", Identity.user(login),
                "key-" + UUID.randomUUID(), null);
    }

    private static ActionOutcome execute(Target target, Verb verb) {
        return target.execute(request(verb, LOGIN));
    }

    private static List<LoggedRequest> tokenRequestsFor(String scope) {
        return OktaStubs.tokenRequests(okta).stream()
                .filter(r -> scope.equals(OktaStubs.form(r).get("scope"))).toList();
    }

    @Test
    void theClientAssertionCarriesTheDocumentedClaims() throws Exception {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);

        ActionOutcome outcome = execute(open(Map.of("lookup-key-id", "kid-lookup-1")), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        LoggedRequest tokenRequest = OktaStubs.tokenRequests(okta).get(0);
        assertThat(tokenRequest.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(OktaStubs.form(tokenRequest))
                .containsEntry("grant_type", "client_credentials")
                .containsEntry("scope", "okta.users.read")
                .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        SignedJWT assertion = OktaStubs.assertion(tokenRequest);
        assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(assertion.getHeader().getKeyID()).isEqualTo("kid-lookup-1");
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) OktaStubs.LOOKUP_APP.keys().getPublic())))
                .isTrue();
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(OktaStubs.LOOKUP_APP.clientId());
        assertThat(claims.getSubject()).isEqualTo(OktaStubs.LOOKUP_APP.clientId());
        assertThat(claims.getAudience()).containsExactly(okta.baseUrl() + TOKEN_PATH);
        long lifetime = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
        assertThat(lifetime).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(claims.getJWTID()).isNotBlank();
    }

    @Test
    void apiCallsCarryTheTokenAndTheHubsUserAgent() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);

        execute(open(), Verb.LOOKUP);

        okta.verify(getRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-lookup"))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("User-Agent", equalTo(USER_AGENT)));
        okta.verify(postRequestedFor(urlPathEqualTo(TOKEN_PATH)).withHeader("User-Agent", equalTo(USER_AGENT)));
    }

    @Test
    void everyTokenRequestSignsAFreshAssertion() throws Exception {
        OktaStubs.stubTokens(okta);
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                .inScenario("token").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("up")
                .willReturn(aResponse().withStatus(503)));
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);

        assertThat(execute(open(), Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);

        List<LoggedRequest> tokenRequests = OktaStubs.tokenRequests(okta);
        assertThat(tokenRequests).hasSize(2);
        assertThat(OktaStubs.assertion(tokenRequests.get(0)).getJWTClaimsSet().getJWTID())
                .isNotEqualTo(OktaStubs.assertion(tokenRequests.get(1)).getJWTClaimsSet().getJWTID());
    }

    @Test
    void anEcP256KeySignsWithEs256AndServesEveryCredentialWhenNoSeparateAppIsSet() throws Exception {
        KeyPair ec = OktaStubs.ec("secp256r1");
        environment.put("OKTA_EC_KEY", OktaStubs.pem(ec));
        Map<String, Object> onlyTheDefaultApp = new HashMap<>();
        onlyTheDefaultApp.put("private-key", "${env:OKTA_EC_KEY}");
        onlyTheDefaultApp.put("key-id", "kid-ec");
        for (String credential : OktaStubs.CREDENTIALS) {
            onlyTheDefaultApp.put(credential + "-client-id", null);
            onlyTheDefaultApp.put(credential + "-private-key", null);
        }
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubSuspend(okta);

        assertThat(execute(open(onlyTheDefaultApp), Verb.SUSPEND).status()).isEqualTo(Status.SUCCEEDED);

        List<LoggedRequest> tokenRequests = OktaStubs.tokenRequests(okta);
        assertThat(tokenRequests).extracting(r -> OktaStubs.form(r).get("scope"))
                .containsExactlyInAnyOrder("okta.users.read", "okta.users.manage");
        for (LoggedRequest tokenRequest : tokenRequests) {
            SignedJWT assertion = OktaStubs.assertion(tokenRequest);
            assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
            assertThat(assertion.getHeader().getKeyID()).isEqualTo("kid-ec");
            assertThat(assertion.verify(new ECDSAVerifier((ECPublicKey) ec.getPublic()))).isTrue();
            assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo(OktaStubs.DEFAULT_APP.clientId());
        }
    }

    @Test
    void eachCredentialsTokenIsFetchedOnceAndReused() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubClearSessions(okta);

        try (Target target = open()) {
            for (int i = 0; i < 2; i++) {
                assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
                assertThat(execute(target, Verb.CLEAR_SESSIONS).status()).isEqualTo(Status.SUCCEEDED);
            }
        }

        assertThat(tokenRequestsFor("okta.users.read")).hasSize(1);
        assertThat(tokenRequestsFor("okta.users.manage")).hasSize(1);
    }

    @Test
    void aTokenRefusedWith401IsFetchedAgainForTheNextAction() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(aResponse().withStatus(401)));

        try (Target target = open()) {
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.REFUSED);
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.REFUSED);
        }

        assertThat(tokenRequestsFor("okta.users.read")).hasSize(2);
    }

    @Test
    void lookupReportsTheOktaIdAndStatus() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, "LOCKED_OUT");

        ActionOutcome outcome = execute(open(), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.details()).containsEntry("okta_user_id", USER_ID).containsEntry("status", "LOCKED_OUT");
    }

    @Test
    void suspendReportsTheChange() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubSuspend(okta);

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.details()).containsEntry("okta_user_id", USER_ID)
                .containsEntry("status_before", "ACTIVE").containsEntry("status_after", "SUSPENDED");
        okta.verify(postRequestedFor(urlPathEqualTo(SUSPEND_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-suspend")));
    }

    @Test
    void anAlreadySuspendedUserIsLeftAlone() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.SUSPENDED);

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        okta.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
        assertThat(tokenRequestsFor("okta.users.manage")).isEmpty();
    }

    @Test
    void aDeprovisionedUserIsNotSuspended() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, "DEPROVISIONED");

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("Okta suspends only ACTIVE users; this user is DEPROVISIONED");
        assertThat(outcome.details()).containsEntry("status", "DEPROVISIONED");
        okta.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void aSuspendRefusedBecauseTheUserWasSuspendedMeanwhileCountsAsAlreadyDone() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubUser(okta, "/api/v1/users/" + USER_ID, OktaUser.SUSPENDED);
        okta.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(OktaStubs.error(400, "error-not-active.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
    }

    @Test
    void aSuspendRefusedForAnotherReasonIsReportedWithOktasError() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubUser(okta, "/api/v1/users/" + USER_ID, OktaUser.ACTIVE);
        okta.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(OktaStubs.error(400, "error-not-active.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("E0000001", "Cannot suspend a user that is not active");
    }

    @Test
    void anUnknownLoginIsRefused() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo("/api/v1/users/nobody%40example.com"))
                .willReturn(OktaStubs.error(404, "error-not-found.json")));

        ActionOutcome outcome = open().execute(request(Verb.SUSPEND, "nobody@example.com"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("no Okta user with login nobody@example.com");
        assertThat(outcome.targetRef()).isNull();
        assertThat(outcome.details()).containsEntry("http_status", 404).containsEntry("okta_error_code", "E0000007");
        okta.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void aLoginIsSentAsOneEncodedPathSegment() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, "/api/v1/users/o%27brien%2Bir%20x%2Fy%40example.com", OktaUser.ACTIVE);

        ActionOutcome outcome = open().execute(request(Verb.LOOKUP, "o'brien+ir x/y@example.com"));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void aForbiddenChangeIsRefusedWithAHint() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        okta.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(OktaStubs.error(403, "error-forbidden.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).contains("E0000006", "You do not have permission", "granted scopes",
                "admin role");
        assertThat(outcome.details()).containsEntry("http_status", 403).containsEntry("okta_error_code", "E0000006")
                .containsEntry("okta_error_summary", "You do not have permission to perform the requested action");
        okta.verify(1, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void serverErrorsFailTheActionAfterTheRetries() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(aResponse().withStatus(503).withBody("{}")));

        ActionOutcome outcome = execute(open(Map.of("max-retries", "2")), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("HTTP 503", "after 3 attempts");
        okta.verify(3, getRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void networkErrorsFailTheActionAfterTheRetries() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ActionOutcome outcome = execute(open(Map.of("max-retries", "1")), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("cannot reach Okta", "after 2 attempts");
        okta.verify(2, getRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void aRateLimitResettingLaterThanAllowedFailsAtOnce() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(OktaStubs.rateLimited(Duration.ofMinutes(2))));

        long started = System.nanoTime();
        ActionOutcome outcome = execute(open(Map.of("max-rate-limit-wait", "30s")), Verb.SUSPEND);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("max-rate-limit-wait (30 s)");
        assertThat(outcome.details()).containsEntry("okta_error_code", "E0000047").containsKey("rate_limit_reset");
        okta.verify(1, getRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void aRefusedTokenNamesTheAppAndTheOAuthError() {
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .willReturn(OktaStubs.error(401, "token-error-invalid-client.json")));

        ActionOutcome outcome = execute(open(), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains(OktaStubs.LOOKUP_APP.clientId(), "invalid_client",
                "signature is invalid", "public key");
    }

    @Test
    void verbsOktaDoesNotOfferAreRefusedWithoutACall() {
        okta.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message())
                .isEqualTo("the Okta connector cannot revoke (it can lookup, suspend, restore, clear-sessions, "
                        + "deactivate)");
        okta.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void restoreUnsuspendsASuspendedUserWithTheRestoreApp() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.SUSPENDED);
        OktaStubs.stubUnsuspend(okta);

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.details()).containsEntry("okta_user_id", USER_ID)
                .containsEntry("status_before", "SUSPENDED").containsEntry("status_after", "ACTIVE");
        okta.verify(getRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-lookup")));
        okta.verify(1, postRequestedFor(urlPathEqualTo(UNSUSPEND_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-restore")));
    }

    @Test
    void restoreLeavesAnActiveUserAlone() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).isEqualTo("Okta user isaac.brock@example.com is already ACTIVE");
        okta.verify(0, postRequestedFor(urlPathEqualTo(UNSUSPEND_PATH)));
        assertThat(tokenRequestsFor("okta.users.manage")).isEmpty();
    }

    @Test
    void restoreRefusesAUserInAnotherState() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, "LOCKED_OUT");

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("Okta unsuspends only SUSPENDED users; this user is LOCKED_OUT");
        assertThat(outcome.details()).containsEntry("status", "LOCKED_OUT");
        okta.verify(0, postRequestedFor(urlPathEqualTo(UNSUSPEND_PATH)));
    }

    @Test
    void anUnsuspendRefusedBecauseTheUserWasUnsuspendedMeanwhileCountsAsAlreadyDone() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.SUSPENDED);
        OktaStubs.stubUser(okta, "/api/v1/users/" + USER_ID, OktaUser.ACTIVE);
        okta.stubFor(post(urlPathEqualTo(UNSUSPEND_PATH)).willReturn(OktaStubs.error(400, "error-not-suspended.json")));

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).contains("unsuspended since it was read");
    }

    @Test
    void aRestoreAppThatIsNotSetApartFallsBackToTheDefaultApp() {
        Map<String, Object> noRestoreApp = new HashMap<>();
        noRestoreApp.put("restore-client-id", null);
        noRestoreApp.put("restore-private-key", null);
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.SUSPENDED);
        OktaStubs.stubUnsuspend(okta);

        assertThat(execute(open(noRestoreApp), Verb.RESTORE).status()).isEqualTo(Status.SUCCEEDED);

        okta.verify(postRequestedFor(urlPathEqualTo(UNSUSPEND_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-default")));
    }

    @Test
    void deactivateDeactivatesWithTheDeactivateAppWithoutMailingTheAdmin() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.SUSPENDED);
        OktaStubs.stubDeactivate(okta);

        ActionOutcome outcome = execute(open(), Verb.DEACTIVATE);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.details()).containsEntry("status_before", "SUSPENDED")
                .containsEntry("status_after", "DEPROVISIONED");
        okta.verify(1, postRequestedFor(urlPathEqualTo(DEACTIVATE_PATH))
                .withQueryParam("sendEmail", equalTo("false"))
                .withHeader("Authorization", equalTo("Bearer access-token-deactivate"))
                // synchronous: a success means the user is DEPROVISIONED
                .withoutHeader("Prefer"));
    }

    @Test
    void aDeprovisionedUserIsNotDeactivatedAgain() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.DEPROVISIONED);

        ActionOutcome outcome = execute(open(), Verb.DEACTIVATE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).isEqualTo("Okta user isaac.brock@example.com is already DEPROVISIONED");
        okta.verify(0, postRequestedFor(urlPathEqualTo(DEACTIVATE_PATH)));
        assertThat(tokenRequestsFor("okta.users.manage")).isEmpty();
    }

    @Test
    void aUserBeingDeactivatedIsNotDeactivatedAgain() {
        OktaStubs.stubTokens(okta);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(
                OktaStubs.user(OktaUser.ACTIVE).replace("\"status\":\"ACTIVE\"",
                        "\"status\":\"ACTIVE\",\"transitioningToStatus\":\"DEPROVISIONED\""))));

        ActionOutcome outcome = execute(open(), Verb.DEACTIVATE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).contains("is being deactivated");
        assertThat(outcome.details()).containsEntry("transitioning_to_status", "DEPROVISIONED");
        okta.verify(0, postRequestedFor(urlPathEqualTo(DEACTIVATE_PATH)));
    }

    @Test
    void aDeactivateRefusedBecauseTheUserWasDeactivatedMeanwhileCountsAsAlreadyDone() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        OktaStubs.stubUser(okta, "/api/v1/users/" + USER_ID, OktaUser.DEPROVISIONED);
        okta.stubFor(post(urlPathEqualTo(DEACTIVATE_PATH)).willReturn(OktaStubs.error(400, "error-not-active.json")));

        ActionOutcome outcome = execute(open(), Verb.DEACTIVATE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).contains("deactivated since it was read");
    }

    @Test
    void aForbiddenDeactivateIsRefusedWithOktasError() {
        OktaStubs.stubTokens(okta);
        OktaStubs.stubUser(okta, USER_PATH, OktaUser.ACTIVE);
        okta.stubFor(post(urlPathEqualTo(DEACTIVATE_PATH)).willReturn(OktaStubs.error(403, "error-forbidden.json")));

        ActionOutcome outcome = execute(open(), Verb.DEACTIVATE);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).startsWith("Okta refused the deactivation of isaac.brock@example.com")
                .contains("E0000006", "admin role");
        okta.verify(1, postRequestedFor(urlPathEqualTo(DEACTIVATE_PATH)));
    }
}
