package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionOutcome.Status;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every capability against a real SCIM server (scimmy 1.3.5 with scimmy-routers 1.3.2, see {@link ScimServer}). The
 * server lets each token do one thing only, so an action that succeeds there used its own capability's token.
 */
class ScimServerTest {

    @RegisterExtension
    static final ScimServer scim = new ScimServer();

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void noUsers() {
        scim.deleteAllUsers();
    }

    private static Map<String, String> environment() {
        return Map.of("SCIMMY_LOOKUP", scim.token("lookup"), "SCIMMY_SUSPEND", scim.token("suspend"),
                "SCIMMY_RESTORE", scim.token("restore"));
    }

    private static Target open(Map<String, Object> changes) {
        return open(changes, environment());
    }

    private static Target open(Map<String, Object> changes, Map<String, String> environment) {
        Map<String, Object> raw = new HashMap<>();
        raw.put("base-url", scim.baseUrl());
        raw.put("lookup-token", "${env:SCIMMY_LOOKUP}");
        raw.put("suspend-token", "${env:SCIMMY_SUSPEND}");
        raw.put("restore-token", "${env:SCIMMY_RESTORE}");
        raw.put("max-retries", "0");
        raw.putAll(changes);
        ConnectorConfig config = new ScimConnector().configDef().parse("scim-test", raw,
                SecretResolver.of(environment));
        return new ScimConnector().open("scim-test", config, ConnectorContext.defaults());
    }

    private static Target open() {
        return open(Map.of());
    }

    private static ActionOutcome execute(Target target, Verb verb, Identity identity) {
        return target.execute(new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "scim-test", identity,
                "key-" + UUID.randomUUID(), null));
    }

    private static ActionOutcome execute(Verb verb, String login) {
        try (Target target = open()) {
            return execute(target, verb, Identity.user(login));
        }
    }

    /**
     * A User as scimmy stores it; {@code emails[0]} is the work address. Every user has emails: scimmy 1.3.5 answers
     * any filter on emails with 400 when one stored user has none.
     */
    private static String createUser(String userName, boolean active, String workEmail, String... otherEmails) {
        ObjectNode user = JSON.createObjectNode();
        user.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        user.put("userName", userName).put("active", active);
        ArrayNode emails = user.putArray("emails");
        emails.addObject().put("value", workEmail).put("type", "work").put("primary", true);
        for (String other : otherEmails) {
            emails.addObject().put("value", other).put("type", "home");
        }
        return scim.createUser(user);
    }

    private static boolean active(String id) {
        return scim.user(id).path("active").asBoolean();
    }

    @Test
    void looksAUserUpByUserName() {
        String id = createUser("bjensen@example.com", true, "bjensen@example.com");
        createUser("jsmith@example.com", true, "jsmith@example.com");

        ActionOutcome outcome = execute(Verb.LOOKUP, "bjensen@example.com");

        assertThat(outcome.status()).as("%s", outcome).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(id);
        assertThat(outcome.details()).containsEntry("matched_by", "userName").containsEntry("active", true)
                .containsEntry("user_name", "bjensen@example.com");
    }

    @Test
    void fallsBackToTheWorkEmailThenAnyEmailWhenTheUserNameFindsNobody() {
        String id = createUser("bjensen", true, "barbara.jensen@example.com", "babs@jensen.org");

        ActionOutcome byWork = execute(Verb.LOOKUP, "barbara.jensen@example.com");
        ActionOutcome byHome = execute(Verb.LOOKUP, "babs@jensen.org");

        assertThat(byWork.status()).as("%s", byWork).isEqualTo(Status.SUCCEEDED);
        assertThat(byWork.targetRef()).isEqualTo(id);
        assertThat(byWork.details()).containsEntry("matched_by", "work email");
        assertThat(byHome.status()).as("%s", byHome).isEqualTo(Status.SUCCEEDED);
        assertThat(byHome.targetRef()).isEqualTo(id);
        assertThat(byHome.details()).containsEntry("matched_by", "email");
    }

    @Test
    void withoutTheEmailFilterOnlyTheUserNameCounts() {
        createUser("bjensen", true, "barbara.jensen@example.com");

        ActionOutcome outcome;
        try (Target target = open(Map.of("email-filter", "false"))) {
            outcome = execute(target, Verb.LOOKUP, Identity.user("barbara.jensen@example.com"));
        }

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("no SCIM user with userName barbara.jensen@example.com");
    }

    @Test
    void anEmailTwoUsersShareIsRefusedAsAmbiguousAndNobodyIsSuspended() {
        String barbara = createUser("bjensen", true, "barbara.jensen@example.com", "family@jensen.org");
        String jim = createUser("jjensen", true, "jim.jensen@example.com", "family@jensen.org");

        ActionOutcome outcome = execute(Verb.SUSPEND, "family@jensen.org");

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("2 SCIM users match emails.value eq \"family@jensen.org\"; "
                + "refusing to pick one");
        assertThat(active(barbara)).isTrue();
        assertThat(active(jim)).isTrue();
    }

    @Test
    void suspendDeactivatesOnceThenReportsAlreadyDone() {
        String id = createUser("bjensen@example.com", true, "bjensen@example.com");

        ActionOutcome first = execute(Verb.SUSPEND, "bjensen@example.com");
        ActionOutcome second = execute(Verb.SUSPEND, "bjensen@example.com");

        assertThat(first.status()).as("%s", first).isEqualTo(Status.SUCCEEDED);
        assertThat(first.targetRef()).isEqualTo(id);
        assertThat(first.details()).containsEntry("active_before", true).containsEntry("active_after", false);
        assertThat(second.status()).as("%s", second).isEqualTo(Status.ALREADY_DONE);
        assertThat(active(id)).isFalse();
    }

    @Test
    void restoreReactivatesOnceThenReportsAlreadyDone() {
        String id = createUser("bjensen@example.com", false, "bjensen@example.com");

        ActionOutcome first = execute(Verb.RESTORE, "bjensen@example.com");
        ActionOutcome second = execute(Verb.RESTORE, "bjensen@example.com");

        assertThat(first.status()).as("%s", first).isEqualTo(Status.SUCCEEDED);
        assertThat(first.details()).containsEntry("active_before", false).containsEntry("active_after", true);
        assertThat(second.status()).as("%s", second).isEqualTo(Status.ALREADY_DONE);
        assertThat(active(id)).isTrue();
    }

    @Test
    void suspendThenRestoreRoundTrips() {
        String id = createUser("bjensen@example.com", true, "bjensen@example.com");

        try (Target target = open()) {
            assertThat(execute(target, Verb.SUSPEND, Identity.user("bjensen@example.com")).status())
                    .isEqualTo(Status.SUCCEEDED);
            assertThat(active(id)).isFalse();
            assertThat(execute(target, Verb.RESTORE, Identity.user("bjensen@example.com")).status())
                    .isEqualTo(Status.SUCCEEDED);
        }
        assertThat(active(id)).isTrue();
    }

    @Test
    void withTheSuspendAndRestoreTokensSwappedTheServerRefusesBothChanges() {
        String active = createUser("active@example.com", true, "active@example.com");
        String inactive = createUser("inactive@example.com", false, "inactive@example.com");
        Map<String, Object> swapped = Map.of("suspend-token", "${env:SCIMMY_RESTORE}",
                "restore-token", "${env:SCIMMY_SUSPEND}");

        ActionOutcome suspend;
        ActionOutcome restore;
        try (Target target = open(swapped)) {
            suspend = execute(target, Verb.SUSPEND, Identity.user("active@example.com"));
            restore = execute(target, Verb.RESTORE, Identity.user("inactive@example.com"));
        }

        assertThat(suspend.status()).isEqualTo(Status.REFUSED);
        assertThat(suspend.details()).containsEntry("http_status", 403);
        assertThat(suspend.message()).contains("HTTP 403", "The restore token may not PATCH",
                "check that the suspend-token is valid and allowed to set active to false");
        assertThat(restore.status()).isEqualTo(Status.REFUSED);
        assertThat(restore.message()).contains("HTTP 403", "The suspend token may not PATCH",
                "check that the restore-token is valid and allowed to set active to true");
        assertThat(active(active)).isTrue();
        assertThat(active(inactive)).isFalse();
    }

    @Test
    void aChangingTokenCannotLookUp() {
        createUser("bjensen@example.com", true, "bjensen@example.com");

        ActionOutcome outcome;
        try (Target target = open(Map.of("lookup-token", "${env:SCIMMY_SUSPEND}"))) {
            outcome = execute(target, Verb.SUSPEND, Identity.user("bjensen@example.com"));
        }

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("HTTP 403", "The suspend token may not GET",
                "check that the lookup-token is valid and allowed to read users");
    }

    @Test
    void anUnknownTokenIsRefusedWith401() {
        createUser("bjensen@example.com", true, "bjensen@example.com");
        Map<String, String> environment = new HashMap<>(environment());
        environment.put("SCIMMY_LOOKUP", "not-a-token-the-server-knows");

        ActionOutcome outcome;
        try (Target target = open(Map.of(), environment)) {
            outcome = execute(target, Verb.LOOKUP, Identity.user("bjensen@example.com"));
        }

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.details()).containsEntry("http_status", 401);
    }

    @Test
    void anApostropheAndUrlSyntaxInAUserNameReachTheServerIntact() {
        String name = "o'brien+ir x&y=1%z#w@example.com";
        String id = createUser(name, true, "obrien@example.com");

        ActionOutcome outcome = execute(Verb.LOOKUP, name);

        assertThat(outcome.status()).as("%s", outcome).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(id);
    }

    /**
     * A login that tries to close the string and widen the filter to every user. It is sent escaped as RFC 7644 asks
     * ({@code userName eq "x\" or userName pr or userName eq \"y"}). scimmy 1.3.5 does not read escaped quotes and
     * answers 400 invalidFilter (a conforming server would find nobody); either way nobody is suspended.
     */
    @Test
    void aQuoteInALoginCannotWidenTheFilter() {
        String only = createUser("bjensen@example.com", true, "bjensen@example.com");

        ActionOutcome outcome = execute(Verb.SUSPEND, "x\" or userName pr or userName eq \"y");

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.details()).containsEntry("http_status", 400).containsEntry("scim_type", "invalidFilter");
        assertThat(active(only)).isTrue();
    }

    @Test
    void anExternalIdIsReadAsTheScimIdAndAnUnknownOneFallsBackToTheLogin() {
        String id = createUser("bjensen@example.com", true, "bjensen@example.com");

        ActionOutcome byId;
        ActionOutcome fallback;
        try (Target target = open()) {
            byId = execute(target, Verb.SUSPEND, new Identity(IdentityKind.USER, null, null, id));
            fallback = execute(target, Verb.LOOKUP,
                    new Identity(IdentityKind.USER, "bjensen@example.com", null, "S-1-5-21-1004"));
        }

        assertThat(byId.status()).as("%s", byId).isEqualTo(Status.SUCCEEDED);
        assertThat(byId.targetRef()).isEqualTo(id);
        assertThat(fallback.status()).as("%s", fallback).isEqualTo(Status.SUCCEEDED);
        assertThat(fallback.details()).containsEntry("matched_by", "userName");
        assertThat(active(id)).isFalse();
    }

    @Test
    void anUnknownUserIsRefused() {
        createUser("bjensen@example.com", true, "bjensen@example.com");

        ActionOutcome outcome = execute(Verb.SUSPEND, "nobody@example.com");

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message())
                .isEqualTo("no SCIM user with userName nobody@example.com, nor email nobody@example.com");
        assertThat(outcome.targetRef()).isNull();
    }

    @Test
    void theSelfCheckPassesWithTheServersTokensAndFailsOneItDoesNotKnow() {
        String id = createUser("bjensen@example.com", true, "bjensen@example.com");
        List<CheckResult> good;
        try (Target target = open()) {
            good = target.check();
        }
        Map<String, String> revoked = new HashMap<>(environment());
        revoked.put("SCIMMY_SUSPEND", "a-token-the-server-does-not-know");
        List<CheckResult> bad;
        try (Target target = open(Map.of(), revoked)) {
            bad = target.check();
        }

        assertThat(good).extracting(CheckResult::subject)
                .containsExactly("credential lookup", "credential suspend", "credential restore");
        assertThat(good).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        // scimmy lets the suspend and restore tokens read nothing: authenticated, then refused
        assertThat(good.get(1).message()).contains("HTTP 403, not 401");
        assertThat(bad).filteredOn(r -> !r.ok()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("credential suspend");
            assertThat(r.message()).contains("suspend-token", "HTTP 401");
        });
        assertThat(active(id)).as("nothing changed").isTrue();
    }
}
