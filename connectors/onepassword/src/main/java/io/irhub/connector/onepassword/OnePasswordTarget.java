package io.irhub.connector.onepassword;

import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Target;
import io.irhub.connector.onepassword.OnePasswordPayloads.ApiError;
import io.irhub.connector.onepassword.OnePasswordPayloads.User;
import io.irhub.connector.onepassword.OnePasswordPayloads.UserPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.irhub.connector.onepassword.OnePasswordConfig.pathSegment;

/**
 * One 1Password account. Every action reads the user first (with the lookup application) and changes only what
 * needs changing, so a retried action makes one change and reports ALREADY_DONE when there was nothing to do.
 */
final class OnePasswordTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(OnePasswordTarget.class);

    // 1Password ids are 26 upper-case letters and digits (IR7VJHJ36JHINBFAD7V2T5MP3E); a SID, an Entra object id or
    // an Okta id never looks like one, so such an external id is not sent to 1Password
    private static final Pattern USER_ID = Pattern.compile("[A-Z0-9]{26}");
    // the documented maximum: the API cannot filter by email, so fewer pages mean fewer calls against its limits
    static final int PAGE_SIZE = 1000;
    // 1Password documents these refusals but not their wording, so they are told apart by what the message names
    private static final Pattern SCIM = Pattern.compile("(?i)\\bscim\\b|user provisioning|provisioned");
    private static final Pattern RESTRICTED = Pattern.compile("(?i)\\bowner\\b|externally[ -]managed|\\beam\\b");

    private final String instance;
    private final OnePasswordConfig config;
    private final OnePasswordClient client;

    OnePasswordTarget(String instance, OnePasswordConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.client = new OnePasswordClient(instance, config, context);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public ActionOutcome execute(ActionRequest request) {
        Identity identity = request.identity();
        return switch (request.verb()) {
            case LOOKUP -> act(identity, this::found);
            case SUSPEND -> act(identity, user -> change(user, Application.SUSPEND, "suspend", "suspended",
                    User.ACTIVE, User.SUSPENDED));
            case RESTORE -> act(identity, user -> change(user, Application.REACTIVATE, "reactivate", "reactivated",
                    User.SUSPENDED, User.ACTIVE));
            default -> ActionOutcome.refused(null, "the 1Password connector cannot " + request.verb().wireName()
                    + " (it can lookup, suspend and restore)", Map.of("verb", request.verb().wireName()));
        };
    }

    // ---- self-check

    /**
     * A new token for each OAuth application, then one page of one user with the lookup token: the account is there
     * and the lookup application may list its users. Token requests and one GET only: nothing is changed, and so
     * whether the suspend and reactivate applications hold their permissions cannot be seen (1Password shows an
     * application's permissions to no API).
     */
    @Override
    public List<CheckResult> check() {
        List<CheckResult> results = new ArrayList<>();
        boolean lookupToken = false;
        for (Application app : Application.values()) {
            CheckResult result = tokenResult(app);
            lookupToken |= app == Application.LOOKUP && result.ok();
            results.add(result);
        }
        results.add(usersApiResult(lookupToken));
        LOG.debug("onepassword {}: self-check done, {} of {} ok", instance,
                results.stream().filter(CheckResult::ok).count(), results.size());
        return results;
    }

    private CheckResult tokenResult(Application app) {
        String subject = "credential " + app.id();
        String which = "the " + app.id() + " OAuth application (client id " + config.app(app).clientId() + ")";
        try {
            client.newToken(app);
        } catch (OnePasswordFailure e) {
            // a refusal names the application and the fields to check; otherwise 1Password was not reached
            return new CheckResult(subject, false, e.getMessage());
        }
        if (app == Application.LOOKUP) {
            return new CheckResult(subject, true, which + " got an access token");
        }
        return new CheckResult(subject, true, which + " got an access token; whether it holds the permission "
                + app.permissions() + " cannot be checked without changing a user, as 1Password shows an "
                + "application's permissions to no API");
    }

    private CheckResult usersApiResult(boolean lookupToken) {
        String subject = "base-url";
        String which = "the lookup OAuth application (client id " + config.app(Application.LOOKUP).clientId() + ")";
        String account = "account " + config.accountId();
        if (!lookupToken) {
            return new CheckResult(subject, false, "the users of " + account + " at " + config.baseUrl()
                    + " were not listed, as " + which + " got no token");
        }
        OnePasswordClient.Reply reply;
        try {
            reply = client.call("GET", config.usersPath() + "?max_page_size=1", Application.LOOKUP);
        } catch (OnePasswordFailure e) {
            return new CheckResult(subject, false, "the listing of one user with the lookup token failed: "
                    + e.getMessage());
        }
        String answer = reply.error().describe(reply.status());
        return switch (reply.status()) {
            case 200 -> new CheckResult(subject, true, "1Password at " + config.baseUrl() + " lets " + which
                    + " list the users of " + account + " (HTTP 200)");
            case 403 -> new CheckResult(subject, false, "1Password refused " + which + " the list of users of "
                    + account + " (" + answer + "): the application lacks a permission; select "
                    + Application.LOOKUP.permissions() + " for it in 1Password");
            case 401 -> new CheckResult(subject, false, "1Password did not accept the token of " + which
                    + " for the list of users of " + account + " (" + answer + "); check that the application "
                    + "belongs to this account and is active");
            case 404 -> new CheckResult(subject, false, "1Password answered " + answer + " to the list of users of "
                    + account + "; check account-id, and that base-url is the account's region");
            default -> new CheckResult(subject, false, "1Password answered " + answer + " to the list of users of "
                    + account + " with the lookup token");
        };
    }

    // ---- actions

    @FunctionalInterface
    private interface Action {
        ActionOutcome on(User user) throws OnePasswordFailure;
    }

    private ActionOutcome act(Identity identity, Action action) {
        User user = null;
        try {
            user = find(identity);
            return action.on(user);
        } catch (OnePasswordFailure e) {
            return e.outcome(user == null ? null : user.id());
        }
    }

    private User find(Identity identity) throws OnePasswordFailure {
        List<String> emails = Stream.of(identity.email(), identity.login()).filter(Objects::nonNull)
                .filter(name -> name.contains("@")).map(name -> name.toLowerCase(Locale.ROOT)).distinct().toList();
        String externalId = identity.externalId();
        if (externalId != null && USER_ID.matcher(externalId).matches()) {
            Optional<User> user = byId(externalId);
            if (user.isPresent()) {
                return user.get();
            }
            if (emails.isEmpty()) {
                throw OnePasswordFailure.refused("no 1Password user with id " + externalId + " in account "
                        + config.accountId(), details("onepassword_user_id", externalId, "http_status", 404));
            }
            LOG.debug("onepassword {}: no user with id {}; looking the identity up by email", instance, externalId);
        }
        if (emails.isEmpty()) {
            throw OnePasswordFailure.refused("1Password finds users by email or by their 1Password user id; "
                    + "identity " + identity.name() + " has neither", Map.of("identity", identity.name()));
        }
        return byEmail(emails);
    }

    private Optional<User> byId(String id) throws OnePasswordFailure {
        OnePasswordClient.Reply reply = client.call("GET", config.usersPath() + "/" + pathSegment(id),
                Application.LOOKUP);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (reply.status() != 200) {
            throw refusal("the lookup of user " + id, Application.LOOKUP, reply);
        }
        return Optional.of(OnePasswordPayloads.read(reply.body(), User.class, "the lookup of user " + id));
    }

    /** Pages through the account's users until one has the email: the API filters by state only. */
    private User byEmail(List<String> emails) throws OnePasswordFailure {
        String what = "the listing of users in account " + config.accountId();
        Set<String> pageTokens = new HashSet<>();
        String pageToken = null;
        int searched = 0;
        while (true) {
            String query = "?max_page_size=" + PAGE_SIZE
                    + (pageToken == null ? "" : "&page_token=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
            OnePasswordClient.Reply reply = client.call("GET", config.usersPath() + query, Application.LOOKUP);
            if (reply.status() != 200) {
                throw refusal(what, Application.LOOKUP, reply);
            }
            UserPage page = OnePasswordPayloads.read(reply.body(), UserPage.class, what);
            for (User user : page.results()) {
                searched++;
                if (user != null && user.email() != null && emails.contains(user.email().toLowerCase(Locale.ROOT))) {
                    return user;
                }
            }
            if (page.last()) {
                break;
            }
            if (!pageTokens.add(page.nextPageToken())) {
                // a token seen before would page forever
                throw OnePasswordFailure.failed("1Password repeated a next_page_token while listing users in account "
                        + config.accountId(), Map.of("users_searched", searched));
            }
            pageToken = page.nextPageToken();
        }
        throw OnePasswordFailure.refused("no 1Password user with email " + String.join(" or ", emails)
                + " in account " + config.accountId() + " (" + searched + " users searched)",
                details("emails", String.join(", ", emails), "users_searched", searched));
    }

    private ActionOutcome found(User user) {
        return ActionOutcome.succeeded(user.id(), "found 1Password user " + user.name() + ", " + user.state(),
                details("onepassword_user_id", user.id(), "email", user.email(), "state", user.state()));
    }

    /**
     * Moves the user from {@code from} to {@code to} with {@code :action}. 1Password's actions are idempotent, but the
     * state is read first all the same, so that "nothing to do" is reported as such and never as a change.
     */
    private ActionOutcome change(User user, Application app, String action, String done, String from, String to)
            throws OnePasswordFailure {
        if (to.equals(user.state())) {
            return ActionOutcome.alreadyDone(user.id(), "1Password user " + user.name() + " is already " + to,
                    details("onepassword_user_id", user.id(), "state", to));
        }
        if (!from.equals(user.state())) {
            return ActionOutcome.refused(user.id(), "1Password can " + action + " only " + from + " users; it reports "
                    + user.name() + " as " + user.state(), details("onepassword_user_id", user.id(), "state",
                    user.state()));
        }
        String what = "the " + action + " of " + user.name();
        OnePasswordClient.Reply reply = client.call("POST",
                config.usersPath() + "/" + pathSegment(user.id()) + ":" + action, app);
        if (reply.status() != 200) {
            throw refusal(what, app, reply);
        }
        String after = OnePasswordPayloads.read(reply.body(), User.class, what).state();
        if (after != null && !after.equals(to)) {
            throw OnePasswordFailure.failed("1Password accepted " + what + " but reports the user as " + after,
                    details("onepassword_user_id", user.id(), "state_before", from, "state_after", after));
        }
        LOG.info("onepassword {}: {} user {}", instance, done, user.id());
        return ActionOutcome.succeeded(user.id(), done + " 1Password user " + user.name(),
                details("onepassword_user_id", user.id(), "state_before", from, "state_after", to));
    }

    private OnePasswordFailure refusal(String what, Application app, OnePasswordClient.Reply reply) {
        ApiError error = reply.error();
        Map<String, Object> details = error.details(reply.status());
        String refused = "1Password refused " + what + " (" + error.describe(reply.status()) + ")";
        String message = error.message() == null ? "" : error.message();
        if (SCIM.matcher(message).find()) {
            details.put("reason", "scim_provisioned");
            return OnePasswordFailure.refused(refused + ": the account's users are provisioned by an identity "
                    + "provider through SCIM, which alone may change them; suspend or reactivate the user in the "
                    + "identity provider, or through a SCIM target", details);
        }
        if (app == Application.SUSPEND && RESTRICTED.matcher(message).find()) {
            details.put("reason", "restricted_user");
            return OnePasswordFailure.refused(refused + ": 1Password never suspends the last owner of an account or "
                    + "an externally managed administrator", details);
        }
        if (reply.status() == 401 || reply.status() == 403) {
            return OnePasswordFailure.refused(refused + "; check that the " + app.id() + " OAuth application "
                    + "(client id " + config.app(app).clientId() + ") is active in account " + config.accountId()
                    + " and has the permission " + app.permissions(), details);
        }
        return OnePasswordFailure.refused(refused, details);
    }

    /** Keeps the order given, so audit records read alike. */
    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }
}
