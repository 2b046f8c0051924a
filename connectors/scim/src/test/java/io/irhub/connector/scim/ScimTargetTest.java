package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
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
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.scim.ScimStubs.LOGIN;
import static io.irhub.connector.scim.ScimStubs.USERS_PATH;
import static io.irhub.connector.scim.ScimStubs.USER_ID;
import static io.irhub.connector.scim.ScimStubs.USER_PATH;
import static io.irhub.connector.scim.ScimStubs.list;
import static io.irhub.connector.scim.ScimStubs.user;
import static org.assertj.core.api.Assertions.assertThat;

/** The connector's side of RFC 7644 against WireMock answering with the RFC's payloads. */
class ScimTargetTest {

    @RegisterExtension
    static final WireMockExtension scim = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String USER_AGENT = "irhub/test";
    private static final String BY_LOGIN = "userName eq \"" + LOGIN + "\"";

    private Target open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(ScimStubs.config(scim.baseUrl()));
        raw.putAll(changes);
        ConnectorConfig config = new ScimConnector().configDef()
                .parse("scim-test", raw, SecretResolver.of(ScimStubs.environment()));
        return new ScimConnector().open("scim-test", config, new ConnectorContext(Clock.systemUTC(), USER_AGENT));
    }

    private Target open() {
        return open(Map.of());
    }

    private static ActionOutcome execute(Target target, Verb verb, Identity identity) {
        return target.execute(new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "scim-test", identity,
                "key-" + UUID.randomUUID(), null));
    }

    private ActionOutcome execute(Verb verb) {
        return execute(open(), verb, Identity.user(LOGIN));
    }

    private static List<String> filtersSent() {
        return scim.findAll(getRequestedFor(urlPathEqualTo(USERS_PATH))).stream()
                .map(r -> r.queryParameter("filter").firstValue()).toList();
    }

    @Test
    void lookupSendsTheDocumentedSearchWithTheLookupToken() {
        ScimStubs.stubFound(scim, true);

        ActionOutcome outcome = execute(Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).isEqualTo("found SCIM user bjensen@example.com by userName, active");
        assertThat(outcome.details()).containsEntry("scim_id", USER_ID).containsEntry("user_name", LOGIN)
                .containsEntry("active", true).containsEntry("matched_by", "userName");
        scim.verify(getRequestedFor(urlPathEqualTo(USERS_PATH))
                .withQueryParam("filter", equalTo(BY_LOGIN))
                .withHeader("Authorization", equalTo(ScimStubs.bearer("lookup")))
                .withHeader("Accept", equalTo("application/scim+json"))
                .withHeader("User-Agent", equalTo(USER_AGENT)));
    }

    @Test
    void aFilterValueIsSentAsAnEscapedJsonStringAndEncodedAsOneQueryValue() {
        String login = "o\"brien\\ir x+y&z=1@example.com";
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));

        execute(open(Map.of("email-filter", "false")), Verb.LOOKUP, Identity.user(login));

        LoggedRequest search = scim.findAll(getRequestedFor(urlPathEqualTo(USERS_PATH))).get(0);
        assertThat(search.queryParameter("filter").firstValue())
                .isEqualTo("userName eq \"o\\\"brien\\\\ir x+y&z=1@example.com\"");
        assertThat(search.getUrl()).isEqualTo(USERS_PATH
                + "?filter=userName%20eq%20%22o%5C%22brien%5C%5Cir%20x%2By%26z%3D1%40example.com%22");
    }

    @Test
    void theConfiguredAttributeIsCompared() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));

        execute(open(Map.of("user-filter-attribute", "externalId", "email-filter", "false")), Verb.LOOKUP,
                Identity.user("701984"));

        assertThat(filtersSent()).containsExactly("externalId eq \"701984\"");
    }

    @Test
    void aLoginThatFindsNobodyIsTriedAsAWorkEmailThenAsAnyEmail() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));
        ScimStubs.stubSearch(scim, "emails.value eq \"" + LOGIN + "\"", list(user(true)));

        ActionOutcome outcome = execute(Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.details()).containsEntry("matched_by", "email");
        assertThat(filtersSent()).containsExactly(BY_LOGIN,
                "emails[type eq \"work\" and value eq \"" + LOGIN + "\"]",
                "emails.value eq \"" + LOGIN + "\"");
    }

    @Test
    void theIdentitysOwnEmailIsUsedForTheFallback() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));
        ScimStubs.stubSearch(scim, "emails[type eq \"work\" and value eq \"" + LOGIN + "\"]", list(user(true)));

        ActionOutcome outcome = execute(open(), Verb.LOOKUP,
                new Identity(IdentityKind.USER, "CORP\\bjensen", LOGIN, null));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.details()).containsEntry("matched_by", "work email");
        assertThat(filtersSent()).containsExactly("userName eq \"CORP\\\\bjensen\"",
                "emails[type eq \"work\" and value eq \"" + LOGIN + "\"]");
    }

    @Test
    void nobodyFoundIsRefusedNamingWhatWasTried() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("no SCIM user with userName " + LOGIN + ", nor email " + LOGIN);
        assertThat(outcome.targetRef()).isNull();
        scim.verify(0, patchRequestedFor(anyUrl()));
    }

    @Test
    void aLoginWithoutAtSignIsNotTriedAsAnEmail() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list())));

        execute(open(), Verb.LOOKUP, Identity.user("bjensen"));

        assertThat(filtersSent()).containsExactly("userName eq \"bjensen\"");
    }

    @Test
    void moreThanOneMatchIsRefusedAsAmbiguous() {
        ObjectNode other = user(true).put("id", "c75ad752-64ae-4823-840d-ffa80929976c");
        ScimStubs.stubSearch(scim, BY_LOGIN, list(user(true), other));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("2 SCIM users match " + BY_LOGIN + "; refusing to pick one");
        assertThat(outcome.details()).containsEntry("total_results", 2);
        scim.verify(0, patchRequestedFor(anyUrl()));
    }

    @Test
    void aTotalAboveOneIsAmbiguousEvenWhenThePageHoldsOne() {
        ScimStubs.stubSearch(scim, BY_LOGIN, ScimStubs.page(3, user(true)));

        ActionOutcome outcome = execute(Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).startsWith("3 SCIM users match");
    }

    @Test
    void aServerThatIgnoresTheFilterIsNotTrustedWithItsOnlyUser() {
        ObjectNode someoneElse = user(true).put("userName", "jsmith@example.com");
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(okJson(list(someoneElse))));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("a user whose userName is [jsmith@example.com]",
                "may not support this filter");
        scim.verify(0, patchRequestedFor(anyUrl()));
    }

    @Test
    void anExternalIdIsReadAsTheScimIdAndA404FallsBackToTheLogin() {
        scim.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(ScimStubs.scimJson(200, user(true).toString())));

        ActionOutcome byId = execute(open(), Verb.LOOKUP, new Identity(IdentityKind.USER, null, null, USER_ID));

        assertThat(byId.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(byId.details()).containsEntry("matched_by", "id");
        scim.verify(getRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo(ScimStubs.bearer("lookup"))));

        scim.resetAll();
        scim.stubFor(get(urlPathEqualTo(USERS_PATH + "/701984"))
                .willReturn(ScimStubs.error(404, "error-not-found.json")));
        ScimStubs.stubFound(scim, true);

        ActionOutcome fallback = execute(open(), Verb.LOOKUP,
                new Identity(IdentityKind.USER, LOGIN, null, "701984"));

        assertThat(fallback.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(fallback.details()).containsEntry("matched_by", "userName");
    }

    @Test
    void suspendPatchesActiveFalseWithTheSuspendToken() {
        ScimStubs.stubFound(scim, true);
        ScimStubs.stubPatch(scim, false);

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).isEqualTo("deactivated SCIM user " + LOGIN);
        assertThat(outcome.details()).containsEntry("active_before", true).containsEntry("active_after", false);
        scim.verify(patchRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo(ScimStubs.bearer("suspend")))
                .withHeader("Content-Type", equalTo("application/scim+json"))
                .withHeader("Accept", equalTo("application/scim+json")));
    }

    @Test
    void restoreAccepts204() {
        ScimStubs.stubFound(scim, false);
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).willReturn(aResponse().withStatus(204)));

        ActionOutcome outcome = execute(Verb.RESTORE);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.message()).isEqualTo("reactivated SCIM user " + LOGIN);
        scim.verify(patchRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo(ScimStubs.bearer("restore"))));
    }

    @Test
    void aUserAlreadyInTheWantedStateIsLeftAlone() {
        ScimStubs.stubFound(scim, false);
        ActionOutcome suspend = execute(Verb.SUSPEND);
        scim.resetAll();
        ScimStubs.stubFound(scim, true);
        ActionOutcome restore = execute(Verb.RESTORE);

        assertThat(suspend.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(suspend.message()).isEqualTo("SCIM user " + LOGIN + " is already inactive");
        assertThat(restore.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(restore.message()).isEqualTo("SCIM user " + LOGIN + " is already active");
        scim.verify(0, patchRequestedFor(anyUrl()));
    }

    @Test
    void aUserWithoutActiveIsNotChanged() {
        ObjectNode noActive = user(true);
        noActive.remove("active");
        ScimStubs.stubSearch(scim, BY_LOGIN, list(noActive));

        ActionOutcome lookup = execute(Verb.LOOKUP);
        ActionOutcome suspend = execute(Verb.SUSPEND);

        assertThat(lookup.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(lookup.message()).isEqualTo("found SCIM user " + LOGIN + " by userName");
        assertThat(suspend.status()).isEqualTo(Status.REFUSED);
        assertThat(suspend.message()).contains("has no active attribute");
        scim.verify(0, patchRequestedFor(anyUrl()));
    }

    @Test
    void aPatchAnsweredWithActiveUnchangedIsRefused() {
        ScimStubs.stubFound(scim, true);
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).willReturn(ScimStubs.scimJson(200, user(true).toString())));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("the SCIM server accepted the deactivate of " + LOGIN
                + " but answered active=true");
    }

    @Test
    void aScimErrorIsRefusedWithItsDetailAndNotRetried() {
        ScimStubs.stubFound(scim, true);
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).willReturn(ScimStubs.error(403, "error-forbidden.json")));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.targetRef()).isEqualTo(USER_ID);
        assertThat(outcome.message()).isEqualTo("the SCIM server refused the deactivate of " + LOGIN
                + " (HTTP 403: Operation is not permitted based on the supplied authorization); check that the "
                + "suspend-token is valid and allowed to set active to false");
        assertThat(outcome.details()).containsEntry("http_status", 403)
                .containsEntry("scim_detail", "Operation is not permitted based on the supplied authorization");
        scim.verify(1, patchRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void anInvalidFilterAnswerCarriesItsScimType() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(ScimStubs.error(400, "error-invalid-filter.json")));

        ActionOutcome outcome = execute(Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).startsWith("the SCIM server refused the search " + BY_LOGIN
                + " (HTTP 400 invalidFilter: The specified filter syntax was invalid");
        assertThat(outcome.details()).containsEntry("scim_type", "invalidFilter");
    }

    @Test
    void aRetryAfterGivenAsAnHttpDateIsWaitedOut() {
        ScimStubs.stubFound(scim, true);
        ScimStubs.stubPatch(scim, false);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).atPriority(1)
                .inScenario("busy").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("free")
                .willReturn(ScimStubs.error(503, "error-too-many-requests.json")
                        .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(now))
                        .withHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(1)))));

        ActionOutcome outcome = execute(Verb.SUSPEND);

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        List<LoggedRequest> patches = scim.findAll(patchRequestedFor(urlPathEqualTo(USER_PATH)));
        assertThat(patches).hasSize(2);
        assertThat(patches.get(1).getLoggedDate().getTime() - patches.get(0).getLoggedDate().getTime())
                .isGreaterThanOrEqualTo(900);
    }

    @Test
    void aRetryAfterBeyondTheAllowedWaitFailsAtOnce() {
        ScimStubs.stubFound(scim, true);
        scim.stubFor(patch(urlPathEqualTo(USER_PATH)).willReturn(ScimStubs.rateLimited(Duration.ofMinutes(5))));

        long started = System.nanoTime();
        ActionOutcome outcome = execute(open(Map.of("max-rate-limit-wait", "30s")), Verb.SUSPEND,
                Identity.user(LOGIN));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("HTTP 429", "retry in 300 s", "max-rate-limit-wait (30 s)");
        assertThat(outcome.details()).containsEntry("retry_after", "300").containsEntry("http_status", 429);
        scim.verify(1, patchRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void networkErrorsFailTheActionAfterTheRetries() {
        scim.stubFor(get(urlPathEqualTo(USERS_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ActionOutcome outcome = execute(open(Map.of("max-retries", "1")), Verb.LOOKUP, Identity.user(LOGIN));

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("cannot reach the SCIM server", "GET /scim/v2/Users", "after 2 attempts")
                .doesNotContain("filter");
        scim.verify(2, getRequestedFor(urlPathEqualTo(USERS_PATH)));
    }

    @Test
    void aTrailingSlashOnTheBaseUrlIsDropped() {
        ScimStubs.stubFound(scim, true);

        ActionOutcome outcome = execute(open(Map.of("base-url", scim.baseUrl() + "/scim/v2/")), Verb.LOOKUP,
                Identity.user(LOGIN));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void verbsScimDoesNotOfferAreRefusedWithoutACall() {
        scim.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(Verb.CLEAR_SESSIONS);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("cannot clear-sessions");
        scim.verify(0, anyRequestedFor(anyUrl()));
    }
}
