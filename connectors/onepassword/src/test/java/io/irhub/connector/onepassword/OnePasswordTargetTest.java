package io.irhub.connector.onepassword;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionOutcome.Status;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.onepassword.OnePasswordStubs.EMAIL;
import static io.irhub.connector.onepassword.OnePasswordStubs.LOOKUP_APP;
import static io.irhub.connector.onepassword.OnePasswordStubs.NEXT_PAGE;
import static io.irhub.connector.onepassword.OnePasswordStubs.REACTIVATE_APP;
import static io.irhub.connector.onepassword.OnePasswordStubs.REACTIVATE_PATH;
import static io.irhub.connector.onepassword.OnePasswordStubs.SUSPEND_APP;
import static io.irhub.connector.onepassword.OnePasswordStubs.SUSPEND_PATH;
import static io.irhub.connector.onepassword.OnePasswordStubs.TOKEN_PATH;
import static io.irhub.connector.onepassword.OnePasswordStubs.USERS_PATH;
import static io.irhub.connector.onepassword.OnePasswordStubs.USER_ID;
import static io.irhub.connector.onepassword.OnePasswordStubs.USER_PATH;
import static org.assertj.core.api.Assertions.assertThat;

class OnePasswordTargetTest {

    @RegisterExtension
    static final WireMockExtension onePassword = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String USER_AGENT = "irhub/test";

    private final TestClock clock = new TestClock();

    private Target open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OnePasswordStubs.config(onePassword.baseUrl()));
        raw.putAll(changes);
        ConnectorConfig config = new OnePasswordConnector().configDef()
                .parse("onepassword-test", raw, SecretResolver.of(OnePasswordStubs.environment()));
        return new OnePasswordConnector().open("onepassword-test", config, new ConnectorContext(clock, USER_AGENT));
    }

    private Target open() {
        return open(Map.of());
    }

    private static ActionRequest request(Verb verb, Identity identity) {
        return new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "onepassword-test", identity,
                "key-" + UUID.randomUUID(), null);
    }

    private static ActionOutcome execute(Target target, Verb verb) {
        return target.execute(request(verb, Identity.user(EMAIL)));
    }

    private ActionOutcome execute(Verb verb, Identity identity) {
        try (Target target = open()) {
            return target.execute(request(verb, identity));
        }
    }

    private static Identity byExternalId(String externalId, String email) {
        return new Identity(IdentityKind.USER, null, email, externalId);
    }

    // --- tokens ------------------------------------------------------------------------------------------------

    @Test
    void theTokenRequestUsesHttpBasicAndTheClientCredentialsGrant() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        assertThat(execute(open(), Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);

        List<LoggedRequest> tokenRequests = onePassword.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
        assertThat(tokenRequests).hasSize(1);
        LoggedRequest tokenRequest = tokenRequests.get(0);
        assertThat(OnePasswordStubs.decodeBasic(tokenRequest.getHeader("Authorization")))
                .isEqualTo(LOOKUP_APP.clientId() + ":" + LOOKUP_APP.secret());
        assertThat(tokenRequest.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(tokenRequest.getBodyAsString()).isEqualTo("grant_type=client_credentials");
        assertThat(tokenRequest.getHeader("User-Agent")).isEqualTo(USER_AGENT);
    }

    @Test
    void apiCallsCarryTheTokenAndTheHubsUserAgent() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        execute(open(), Verb.LOOKUP);

        onePassword.verify(getRequestedFor(urlPathEqualTo(USERS_PATH))
                .withHeader("Authorization", equalTo("Bearer " + LOOKUP_APP.accessToken()))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("User-Agent", equalTo(USER_AGENT)));
    }

    @Test
    void eachApplicationsTokenIsCachedUntilShortlyBeforeItExpires() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        try (Target target = open()) {
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
            clock.advance(Duration.ofSeconds(839));
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
            assertThat(OnePasswordStubs.tokenRequests(onePassword, LOOKUP_APP)).hasSize(1);

            // the token lives 900 s; it is replaced 60 s early
            clock.advance(Duration.ofSeconds(2));
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
        }

        assertThat(OnePasswordStubs.tokenRequests(onePassword, LOOKUP_APP)).hasSize(2);
        assertThat(OnePasswordStubs.tokenRequests(onePassword, SUSPEND_APP)).isEmpty();
        assertThat(OnePasswordStubs.tokenRequests(onePassword, REACTIVATE_APP)).isEmpty();
    }

    @Test
    void aSuspendAndARestoreEachFetchTheirOwnApplicationsTokenOnce() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        OnePasswordStubs.stubSuspend(onePassword);

        try (Target target = open()) {
            assertThat(execute(target, Verb.SUSPEND).status()).isEqualTo(Status.SUCCEEDED);
            assertThat(execute(target, Verb.SUSPEND).status()).isEqualTo(Status.SUCCEEDED);
            OnePasswordStubs.stubList(onePassword, "SUSPENDED");
            OnePasswordStubs.stubReactivate(onePassword);
            assertThat(execute(target, Verb.RESTORE).status()).isEqualTo(Status.SUCCEEDED);
        }

        assertThat(OnePasswordStubs.tokenRequests(onePassword, LOOKUP_APP)).hasSize(1);
        assertThat(OnePasswordStubs.tokenRequests(onePassword, SUSPEND_APP)).hasSize(1);
        assertThat(OnePasswordStubs.tokenRequests(onePassword, REACTIVATE_APP)).hasSize(1);
        onePassword.verify(postRequestedFor(urlPathEqualTo(REACTIVATE_PATH))
                .withHeader("Authorization", equalTo("Bearer " + REACTIVATE_APP.accessToken())));
    }

    @Test
    void aTokenRefusedWith401IsFetchedAgainForTheNextAction() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(aResponse().withStatus(401)));

        try (Target target = open()) {
            ActionOutcome first = execute(target, Verb.LOOKUP);
            assertThat(first.status()).isEqualTo(Status.REFUSED);
            assertThat(first.message()).contains("HTTP 401", LOOKUP_APP.clientId(), "Get user and List users");
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.REFUSED);
        }

        assertThat(OnePasswordStubs.tokenRequests(onePassword, LOOKUP_APP)).hasSize(2);
    }

    @Test
    void aRefusedTokenNamesTheApplicationAndTheOAuthErrorButNotTheSecret() {
        onePassword.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .willReturn(OnePasswordStubs.error(401, "token-error-invalid-client.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("lookup OAuth application", LOOKUP_APP.clientId(), "invalid_client",
                "client authentication failed", "lookup-client-secret");
        assertThat(outcome.message()).doesNotContain(LOOKUP_APP.secret());
        assertThat(outcome.details()).containsEntry("onepassword_error_code", "invalid_client")
                .containsEntry("client_id", LOOKUP_APP.clientId());
        onePassword.verify(0, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    // --- finding the user ----------------------------------------------------------------------------------------

    @Test
    void aUserOnALaterPageIsFoundByEmailIgnoringCase() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubTwoPages(onePassword);
        OnePasswordStubs.stubSuspend(onePassword);

        ActionOutcome outcome = execute(Verb.SUSPEND, Identity.user("Wendy_Appleseed@AgileBits.com"));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        onePassword.verify(getRequestedFor(urlPathEqualTo(USERS_PATH)).withQueryParam("page_token", absent())
                .withQueryParam("max_page_size", equalTo("1000")));
        onePassword.verify(getRequestedFor(urlPathEqualTo(USERS_PATH))
                .withQueryParam("page_token", equalTo(NEXT_PAGE)).withQueryParam("max_page_size", equalTo("1000")));
        onePassword.verify(1, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void pagingStopsAtTheUser() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubTwoPages(onePassword);

        ActionOutcome outcome = execute(Verb.LOOKUP, Identity.user("appleseed.johnny@agilebits.com"));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo("4HCGRGYCTRQFBMGVEGTABYDU2V");
        onePassword.verify(1, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    @Test
    void anUnknownEmailIsRefusedAfterTheLastPage() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubTwoPagesWithoutTheUser(onePassword);

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("no 1Password user with email " + EMAIL
                + " in account ACCOUNT123 (2 users searched)");
        assertThat(outcome.targetRef()).isNull();
        onePassword.verify(2, getRequestedFor(urlPathEqualTo(USERS_PATH)));
        onePassword.verify(0, postRequestedFor(urlPathMatching(".*:suspend")));
        assertThat(OnePasswordStubs.tokenRequests(onePassword, SUSPEND_APP)).isEmpty();
    }

    @Test
    void aRepeatedPageTokenFailsInsteadOfPagingForever() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH))
                .willReturn(okJson(OnePasswordStubs.fixture("users-page-1.json"))));

        ActionOutcome outcome = execute(open(), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("repeated a next_page_token");
        onePassword.verify(2, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    @Test
    void aOnePasswordUserIdGivenAsExternalIdIsReadDirectly() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubUser(onePassword, "SUSPENDED");

        ActionOutcome outcome = execute(Verb.LOOKUP, byExternalId(USER_ID, null));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.message()).isEqualTo("found 1Password user " + EMAIL + ", SUSPENDED");
        assertThat(outcome.details()).containsEntry("onepassword_user_id", USER_ID)
                .containsEntry("email", EMAIL).containsEntry("state", "SUSPENDED");
        onePassword.verify(getRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo("Bearer " + LOOKUP_APP.accessToken())));
        onePassword.verify(0, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    @Test
    void anExternalIdUnknownTo1PasswordFallsBackToTheEmail() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH + "/ZZZZZZZZZZZZZZZZZZZZZZZZZZ"))
                .willReturn(OnePasswordStubs.error(404, "error-not-found.json")));
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        ActionOutcome outcome = execute(Verb.LOOKUP, byExternalId("ZZZZZZZZZZZZZZZZZZZZZZZZZZ", EMAIL));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
    }

    @Test
    void anUnknownUserIdIsRefused() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USER_PATH))
                .willReturn(OnePasswordStubs.error(404, "error-not-found.json")));

        ActionOutcome outcome = execute(Verb.SUSPEND, byExternalId(USER_ID, null));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("no 1Password user with id " + USER_ID + " in account ACCOUNT123");
        onePassword.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void anExternalIdOfAnotherSystemIsNotSentTo1Password() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        ActionOutcome outcome = execute(Verb.LOOKUP, byExternalId("8b7c2f6e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", EMAIL));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        onePassword.verify(0, getRequestedFor(urlPathMatching(USERS_PATH + "/.*")));
    }

    @Test
    void anIdentityWithNeitherEmailNorUserIdIsRefusedWithoutACall() {
        onePassword.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(Verb.SUSPEND, Identity.user("CORP\\wendy"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("by email or by their 1Password user id", "CORP\\wendy");
        onePassword.verify(0, anyRequestedFor(anyUrl()));
    }

    // --- suspend and restore --------------------------------------------------------------------------------------

    @Test
    void suspendReportsTheChange() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        OnePasswordStubs.stubSuspend(onePassword);

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).isEqualTo("suspended 1Password user " + EMAIL);
        assertThat(outcome.details()).containsEntry("onepassword_user_id", USER_ID)
                .containsEntry("state_before", "ACTIVE").containsEntry("state_after", "SUSPENDED");
        onePassword.verify(postRequestedFor(urlPathEqualTo(SUSPEND_PATH))
                .withHeader("Authorization", equalTo("Bearer " + SUSPEND_APP.accessToken()))
                .withHeader("User-Agent", equalTo(USER_AGENT)));
    }

    @Test
    void anAlreadySuspendedUserIsLeftAlone() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "SUSPENDED");

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.details()).containsEntry("state", "SUSPENDED");
        onePassword.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
        assertThat(OnePasswordStubs.tokenRequests(onePassword, SUSPEND_APP)).isEmpty();
    }

    @Test
    void restoreReactivatesASuspendedUser() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "SUSPENDED");
        OnePasswordStubs.stubReactivate(onePassword);

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.message()).isEqualTo("reactivated 1Password user " + EMAIL);
        assertThat(outcome.details()).containsEntry("state_before", "SUSPENDED").containsEntry("state_after", "ACTIVE");
        assertThat(OnePasswordStubs.tokenRequests(onePassword, SUSPEND_APP)).isEmpty();
    }

    @Test
    void anActiveUserIsAlreadyRestored() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).isEqualTo("1Password user " + EMAIL + " is already ACTIVE");
        onePassword.verify(0, postRequestedFor(urlPathEqualTo(REACTIVATE_PATH)));
        assertThat(OnePasswordStubs.tokenRequests(onePassword, REACTIVATE_APP)).isEmpty();
    }

    @Test
    void aUserInAnUnspecifiedStateIsNotChanged() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "STATE_UNSPECIFIED");

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("1Password can suspend only ACTIVE users; it reports " + EMAIL
                + " as STATE_UNSPECIFIED");
        onePassword.verify(0, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void aSuspendAnsweredWithAnotherStateIsAFailure() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        onePassword.stubFor(post(urlPathEqualTo(SUSPEND_PATH)).willReturn(okJson(OnePasswordStubs.user("ACTIVE"))));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("reports the user as ACTIVE");
    }

    // --- refusals ----------------------------------------------------------------------------------------------------

    @Test
    void theLastOwnerIsRefusedWithOnePasswordsReason() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        onePassword.stubFor(post(urlPathEqualTo(SUSPEND_PATH))
                .willReturn(OnePasswordStubs.error(400, "error-last-owner.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).contains("HTTP 400 9: cannot suspend the last remaining owner of the account",
                "never suspends the last owner");
        assertThat(outcome.details()).containsEntry("reason", "restricted_user").containsEntry("http_status", 400)
                .containsEntry("onepassword_error_code", "9")
                .containsEntry("onepassword_error_message", "cannot suspend the last remaining owner of the account");
        onePassword.verify(1, postRequestedFor(urlPathEqualTo(SUSPEND_PATH)));
    }

    @Test
    void anExternallyManagedAdministratorIsRefusedWithoutAPermissionHint() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        onePassword.stubFor(post(urlPathEqualTo(SUSPEND_PATH))
                .willReturn(OnePasswordStubs.error(403, "error-externally-managed-admin.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("externally managed administrators (EAM users) cannot be suspended")
                .doesNotContain("permission Suspend users");
        assertThat(outcome.details()).containsEntry("reason", "restricted_user");
    }

    @Test
    void aScimProvisionedAccountIsRefusedPointingToTheIdentityProvider() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "SUSPENDED");
        onePassword.stubFor(post(urlPathEqualTo(REACTIVATE_PATH))
                .willReturn(OnePasswordStubs.error(400, "error-scim-provisioned.json")));

        ActionOutcome outcome = execute(open(), Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("automated user provisioning (SCIM)",
                "in the identity provider, or through a SCIM target");
        assertThat(outcome.details()).containsEntry("reason", "scim_provisioned");
    }

    @Test
    void aForbiddenChangeIsRefusedWithAHintAboutTheApplicationsPermission() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        onePassword.stubFor(post(urlPathEqualTo(SUSPEND_PATH))
                .willReturn(OnePasswordStubs.error(403, "error-permission-denied.json")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("HTTP 403 7: the access token does not grant this action",
                "suspend OAuth application (client id " + SUSPEND_APP.clientId() + ")", "permission Suspend users");
        assertThat(outcome.details()).containsEntry("http_status", 403).doesNotContainKey("reason");
    }

    // --- retries --------------------------------------------------------------------------------------------------

    @Test
    void aRateLimitLongerThanAllowedFailsAtOnce() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH))
                .willReturn(OnePasswordStubs.rateLimited(Duration.ofMinutes(2))));

        long started = System.nanoTime();
        ActionOutcome outcome = execute(open(Map.of("max-rate-limit-wait", "30s")), Verb.SUSPEND);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("asks to wait 120 s", "max-rate-limit-wait (30 s)");
        assertThat(outcome.details()).containsEntry("retry_after", "120").containsEntry("http_status", 429);
        onePassword.verify(1, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    @Test
    void aRetryAfterDateIsMeasuredFromOnePasswordsDateHeader() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");
        // 1Password's clock is a day behind ours: only the difference between its two dates counts
        ZonedDateTime theirs = ZonedDateTime.now(ZoneOffset.UTC).minusDays(1);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH)).atPriority(1)
                .inScenario("rate").whenScenarioStateIs("Started").willSetStateTo("served")
                .willReturn(OnePasswordStubs.error(429, "error-rate-limit.json")
                        .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(theirs))
                        .withHeader("Retry-After",
                                DateTimeFormatter.RFC_1123_DATE_TIME.format(theirs.plusSeconds(1)))));

        ActionOutcome outcome = execute(open(), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        List<LoggedRequest> calls = onePassword.findAll(getRequestedFor(urlPathEqualTo(USERS_PATH)));
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime())
                .isGreaterThanOrEqualTo(900);
    }

    @Test
    void aRateLimitedTokenRequestIsRetried() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                .inScenario("token").whenScenarioStateIs("Started").willSetStateTo("served")
                .willReturn(OnePasswordStubs.rateLimited(Duration.ZERO)));
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        assertThat(execute(open(), Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
        onePassword.verify(2, postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
    }

    @Test
    void networkErrorsFailTheActionAfterTheRetries() {
        OnePasswordStubs.stubTokens(onePassword);
        onePassword.stubFor(get(urlPathEqualTo(USERS_PATH))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ActionOutcome outcome = execute(open(Map.of("max-retries", "1")), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("cannot reach 1Password", "after 2 attempts");
        onePassword.verify(2, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    // --- the rest -----------------------------------------------------------------------------------------------

    @Test
    void aBaseUrlWithATrailingSlashReachesTheSamePaths() {
        OnePasswordStubs.stubTokens(onePassword);
        OnePasswordStubs.stubList(onePassword, "ACTIVE");

        ActionOutcome outcome = execute(open(Map.of("base-url", onePassword.baseUrl() + "/")), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        onePassword.verify(1, postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
    }

    @Test
    void verbs1PasswordDoesNotOfferAreRefusedWithoutACall() {
        onePassword.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.CLEAR_SESSIONS);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("cannot clear-sessions");
        onePassword.verify(0, anyRequestedFor(anyUrl()));
    }

    /** A clock the test moves, so token expiry is tested without waiting. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-11-02T09:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
