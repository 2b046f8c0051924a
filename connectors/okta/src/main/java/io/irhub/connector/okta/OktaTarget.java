package io.irhub.connector.okta;

import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One Okta org. Okta's lifecycle calls are not idempotent (suspending a SUSPENDED user is an error), so every action
 * reads the user first (with the lookup app) and changes only what needs changing: a retried action makes one change.
 */
final class OktaTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(OktaTarget.class);
    private static final String FORBIDDEN_HINT = "; check the service app's granted scopes (okta.users.read, "
            + "okta.users.manage) and that it has an admin role assigned";
    private static final String VERBS = OktaConnector.CAPABILITIES.stream().map(c -> c.verb().wireName())
            .collect(Collectors.joining(", "));

    private final String instance;
    private final OktaConfig config;
    private final OktaClient client;

    OktaTarget(String instance, OktaConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.client = new OktaClient(instance, config, context);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public ActionOutcome execute(ActionRequest request) {
        String login = request.identity().name();
        return switch (request.verb()) {
            case LOOKUP -> act(login, this::found);
            case SUSPEND -> act(login, this::suspend);
            case RESTORE -> act(login, this::restore);
            case CLEAR_SESSIONS -> act(login, this::clearSessions);
            case DEACTIVATE -> act(login, this::deactivate);
            default -> ActionOutcome.refused(null, "the Okta connector cannot " + request.verb().wireName()
                    + " (it can " + VERBS + ")", Map.of("verb", request.verb().wireName()));
        };
    }

    // ---- self-check

    /** A service app asked for a scope: credentials that share both share one token request. */
    private record AppScope(ServiceApp app, String scope) {
    }

    /** One token request of the self-check: the credential it was made for, and the grant or the refusal. */
    private record Attempt(Credential credential, OktaClient.Grant grant, OktaFailure failure) {
    }

    /**
     * For each credential, a new token from its service app with its scope, which must be granted; then a read of
     * one user with the lookup token, which needs the lookup app to hold an admin role covering users. Each service
     * app is asked once per scope, so credentials sharing an app and a scope share the answer (each still gets its
     * own result). Token requests and one GET only: nothing is changed.
     */
    @Override
    public List<CheckResult> check() {
        List<CheckResult> results = new ArrayList<>();
        Map<AppScope, Attempt> attempts = new HashMap<>();
        for (Credential credential : Credential.values()) {
            AppScope key = new AppScope(config.app(credential), credential.scope());
            Attempt attempt = attempts.get(key);
            Credential sharedWith = attempt == null ? null : attempt.credential();
            if (attempt == null) {
                attempt = requestToken(credential);
                attempts.put(key, attempt);
            }
            results.add(credentialResult(credential, attempt, sharedWith));
        }
        Attempt lookup = attempts.get(new AppScope(config.app(Credential.LOOKUP), Credential.LOOKUP.scope()));
        results.add(usersApiResult(lookup));
        LOG.debug("okta {}: self-check done, {} of {} ok", instance,
                results.stream().filter(CheckResult::ok).count(), results.size());
        return results;
    }

    private Attempt requestToken(Credential credential) {
        try {
            return new Attempt(credential, client.newToken(credential), null);
        } catch (OktaFailure e) {
            return new Attempt(credential, null, e);
        }
    }

    private CheckResult credentialResult(Credential credential, Attempt attempt, Credential sharedWith) {
        String subject = "credential " + credential.id();
        ServiceApp app = config.app(credential);
        String which = "the " + credential.id() + " service app (client id " + app.clientId() + ")";
        String shared = sharedWith == null ? "" : " (the same app and scope as " + sharedWith.id()
                + ", so asked once for both)";
        String scope = credential.scope();
        if (attempt.failure() != null) {
            return new CheckResult(subject, false, tokenFailure(which, scope, attempt.failure()) + shared);
        }
        OktaClient.Grant grant = attempt.grant();
        if (!grant.grants(scope)) {
            return new CheckResult(subject, false, "Okta gave " + which + " a token "
                    + (grant.scope() == null ? "without a scope" : "with scope " + grant.scope()) + " but not "
                    + scope + ", which the " + credential.id() + " capability needs; grant the app " + scope
                    + " on its Okta API Scopes tab" + shared);
        }
        return new CheckResult(subject, true, which + " got a " + (grant.dpop() ? "DPoP-bound " : "")
                + "token with scope " + scope + shared);
    }

    /** Okta's refusal of a token, and what to fix; the key is never quoted, only the client id. */
    private static String tokenFailure(String which, String scope, OktaFailure failure) {
        Map<String, Object> details = failure.details();
        if (!details.containsKey("oauth_error")) {
            // no answer from the token endpoint: Okta unreachable, rate-limiting, or answering 5xx
            return "no token for " + which + ": " + failure.getMessage();
        }
        Object status = details.get("http_status");
        String error = (String) details.get("oauth_error");
        String description = (String) details.get("oauth_error_description");
        String answer = "HTTP " + status + (error == null ? "" : " " + error)
                + (description == null ? "" : ": " + description);
        String fix;
        if ("invalid_scope".equals(error)) {
            fix = "grant the app the scope " + scope + " on its Okta API Scopes tab";
        } else if ("invalid_client".equals(error) || Integer.valueOf(401).equals(status)) {
            fix = "check the client id, and that the configured private key is the one whose public key is "
                    + "registered for the app (with its key id)";
        } else if ("use_dpop_nonce".equals(error) || "invalid_dpop_proof".equals(error)) {
            fix = "Okta did not accept the connector's DPoP proof; check the app's DPoP setting and this host's "
                    + "clock";
        } else if ("unauthorized_client".equals(error)) {
            fix = "allow the app the Client Credentials grant";
        } else {
            fix = "check that the app is an active API Services app using public key / private key authentication";
        }
        return "Okta refused a token with scope " + scope + " to " + which + " (" + answer + "); " + fix;
    }

    /** One user read with the lookup token: the org answers, and the lookup app's admin role covers users. */
    private CheckResult usersApiResult(Attempt lookup) {
        String subject = "org-url";
        String app = "the lookup service app (client id " + config.app(Credential.LOOKUP).clientId() + ")";
        if (lookup.failure() != null) {
            return new CheckResult(subject, false, "Okta's users API at " + config.orgUrl() + " was not tried, as "
                    + app + " got no token");
        }
        OktaClient.Reply reply;
        try {
            reply = client.call("GET", "/api/v1/users?limit=1", Credential.LOOKUP);
        } catch (OktaFailure e) {
            return new CheckResult(subject, false, "the read of one user with the lookup token failed: "
                    + e.getMessage());
        }
        String answer = OktaError.from(reply.body()).describe(reply.status());
        return switch (reply.status()) {
            case 200 -> new CheckResult(subject, true, "Okta at " + config.orgUrl() + " lets " + app
                    + " read users (GET /api/v1/users?limit=1, HTTP 200)");
            case 403 -> reply.insufficientScope()
                    ? new CheckResult(subject, false, "Okta refused " + app + " a read of users, its token lacking "
                    + "the scope " + Credential.LOOKUP.scope() + " (HTTP 403 insufficient_scope); grant the app "
                    + Credential.LOOKUP.scope() + " on its Okta API Scopes tab")
                    : new CheckResult(subject, false, "Okta refused " + app + " a read of users (" + answer
                    + "): the service app has no admin role that covers users; assign it one (Read-only "
                    + "Administrator, or a custom role over the users) on its Admin roles tab");
            case 401 -> new CheckResult(subject, false, "Okta did not accept the token of " + app
                    + " for a read of users (" + answer + "); check that the app is granted "
                    + Credential.LOOKUP.scope());
            case 404 -> new CheckResult(subject, false, "Okta answered " + answer + " to GET /api/v1/users; "
                    + "check that org-url is the org's address (https://acme.okta.com, without a path)");
            default -> new CheckResult(subject, false, "Okta answered " + answer + " to a read of users with the "
                    + "lookup token");
        };
    }

    // ---- actions

    @FunctionalInterface
    private interface Action {
        ActionOutcome on(OktaUser user) throws OktaFailure;
    }

    private ActionOutcome act(String login, Action action) {
        OktaUser user = null;
        try {
            user = findUser(login);
            return action.on(user);
        } catch (OktaFailure e) {
            return e.outcome(user == null ? null : user.id());
        }
    }

    /** @param idOrLogin Okta takes either in the same path */
    private OktaUser findUser(String idOrLogin) throws OktaFailure {
        OktaClient.Reply reply = client.call("GET", "/api/v1/users/" + pathSegment(idOrLogin), Credential.LOOKUP);
        if (reply.status() == 200) {
            return OktaUser.from(reply.body());
        }
        if (reply.status() == 404) {
            throw OktaFailure.refused("no Okta user with login " + idOrLogin,
                    OktaError.from(reply.body()).details(reply.status()));
        }
        throw refusal("the lookup of " + idOrLogin, reply);
    }

    private ActionOutcome found(OktaUser user) {
        return ActionOutcome.succeeded(user.id(), "found Okta user " + user.login() + ", " + user.status(),
                details("okta_user_id", user.id(), "status", user.status()));
    }

    private ActionOutcome suspend(OktaUser user) throws OktaFailure {
        if (user.status().equals(OktaUser.SUSPENDED)) {
            return alreadySuspended(user, "Okta user " + user.login() + " is already SUSPENDED");
        }
        if (!user.status().equals(OktaUser.ACTIVE)) {
            return ActionOutcome.refused(user.id(), "Okta suspends only ACTIVE users; this user is " + user.status(),
                    details("okta_user_id", user.id(), "status", user.status()));
        }
        OktaClient.Reply reply = client.call("POST", "/api/v1/users/" + pathSegment(user.id()) + "/lifecycle/suspend",
                Credential.SUSPEND);
        if (reply.status() == 200) {
            LOG.info("okta {}: suspended user {}", instance, user.id());
            return ActionOutcome.succeeded(user.id(), "suspended Okta user " + user.login(),
                    details("okta_user_id", user.id(), "status_before", OktaUser.ACTIVE,
                            "status_after", OktaUser.SUSPENDED));
        }
        // Okta answers 400 to a suspend of a user that is no longer ACTIVE; if it was suspended since the read (by
        // an earlier attempt whose answer was lost, or by someone else) the action's aim is met. Reported as
        // ALREADY_DONE, so the hub never restores a suspension it cannot prove was its own.
        if (reply.status() == 400 && findUser(user.id()).status().equals(OktaUser.SUSPENDED)) {
            return alreadySuspended(user, "Okta user " + user.login() + " is SUSPENDED; Okta refused this suspend, "
                    + "as it had been suspended since it was read");
        }
        throw refusal("the suspend of " + user.login(), reply);
    }

    private static ActionOutcome alreadySuspended(OktaUser user, String message) {
        return ActionOutcome.alreadyDone(user.id(), message,
                details("okta_user_id", user.id(), "status", OktaUser.SUSPENDED));
    }

    /** Unsuspends a SUSPENDED user with the restore app; an ACTIVE user is left alone. */
    private ActionOutcome restore(OktaUser user) throws OktaFailure {
        if (user.status().equals(OktaUser.ACTIVE)) {
            return ActionOutcome.alreadyDone(user.id(), "Okta user " + user.login() + " is already ACTIVE",
                    details("okta_user_id", user.id(), "status", OktaUser.ACTIVE));
        }
        if (!user.status().equals(OktaUser.SUSPENDED)) {
            return ActionOutcome.refused(user.id(), "Okta unsuspends only SUSPENDED users; this user is "
                    + user.status(), details("okta_user_id", user.id(), "status", user.status()));
        }
        OktaClient.Reply reply = client.call("POST",
                "/api/v1/users/" + pathSegment(user.id()) + "/lifecycle/unsuspend", Credential.RESTORE);
        if (reply.status() == 200 || reply.status() == 204) {
            LOG.info("okta {}: unsuspended user {}", instance, user.id());
            return ActionOutcome.succeeded(user.id(), "unsuspended Okta user " + user.login(),
                    details("okta_user_id", user.id(), "status_before", OktaUser.SUSPENDED,
                            "status_after", OktaUser.ACTIVE));
        }
        // as for a suspend: a 400 may mean an earlier attempt whose answer was lost did it already
        if (reply.status() == 400 && findUser(user.id()).status().equals(OktaUser.ACTIVE)) {
            return ActionOutcome.alreadyDone(user.id(), "Okta user " + user.login() + " is ACTIVE; Okta refused this "
                    + "unsuspend, as it had been unsuspended since it was read",
                    details("okta_user_id", user.id(), "status", OktaUser.ACTIVE));
        }
        throw refusal("the unsuspend of " + user.login(), reply);
    }

    /**
     * Deactivates (deprovisions) the user with the deactivate app: irreversible, so the hub's policies have it
     * approved first. Synchronous (no {@code Prefer: respond-async}): a success means the user is DEPROVISIONED.
     */
    private ActionOutcome deactivate(OktaUser user) throws OktaFailure {
        if (isDeactivated(user)) {
            return alreadyDeactivated(user, "");
        }
        OktaClient.Reply reply = client.call("POST",
                "/api/v1/users/" + pathSegment(user.id()) + "/lifecycle/deactivate?sendEmail=false",
                Credential.DEACTIVATE);
        if (reply.status() == 200 || reply.status() == 204) {
            LOG.info("okta {}: deactivated user {}", instance, user.id());
            return ActionOutcome.succeeded(user.id(), "deactivated Okta user " + user.login(),
                    details("okta_user_id", user.id(), "status_before", user.status(),
                            "status_after", OktaUser.DEPROVISIONED));
        }
        if (reply.status() == 202) {
            LOG.info("okta {}: deactivation of user {} accepted", instance, user.id());
            return ActionOutcome.succeeded(user.id(), "Okta accepted the deactivation of " + user.login()
                            + "; it completes asynchronously",
                    details("okta_user_id", user.id(), "status_before", user.status(),
                            "transitioning_to_status", OktaUser.DEPROVISIONED));
        }
        if (reply.status() == 400) {
            OktaUser now = findUser(user.id());
            if (isDeactivated(now)) {
                return alreadyDeactivated(now, "; Okta refused this deactivate, as it had been deactivated since it "
                        + "was read");
            }
        }
        throw refusal("the deactivation of " + user.login(), reply);
    }

    private static boolean isDeactivated(OktaUser user) {
        return user.status().equals(OktaUser.DEPROVISIONED)
                || OktaUser.DEPROVISIONED.equals(user.transitioningToStatus());
    }

    private static ActionOutcome alreadyDeactivated(OktaUser user, String why) {
        if (user.status().equals(OktaUser.DEPROVISIONED)) {
            return ActionOutcome.alreadyDone(user.id(), "Okta user " + user.login() + " is already DEPROVISIONED" + why,
                    details("okta_user_id", user.id(), "status", OktaUser.DEPROVISIONED));
        }
        return ActionOutcome.alreadyDone(user.id(), "Okta user " + user.login() + " is being deactivated "
                        + "(transitioningToStatus DEPROVISIONED)" + why,
                details("okta_user_id", user.id(), "status", user.status(),
                        "transitioning_to_status", OktaUser.DEPROVISIONED));
    }

    private ActionOutcome clearSessions(OktaUser user) throws OktaFailure {
        OktaClient.Reply reply = client.call("DELETE",
                "/api/v1/users/" + pathSegment(user.id()) + "/sessions?oauthTokens=true", Credential.SUSPEND);
        if (reply.status() == 204 || reply.status() == 200) {
            LOG.info("okta {}: cleared sessions and OAuth tokens of user {}", instance, user.id());
            return ActionOutcome.succeeded(user.id(), "cleared the Okta sessions and OAuth tokens of " + user.login(),
                    details("okta_user_id", user.id(), "oauth_tokens_revoked", true));
        }
        throw refusal("clearing the sessions of " + user.login(), reply);
    }

    private static OktaFailure refusal(String what, OktaClient.Reply reply) {
        OktaError error = OktaError.from(reply.body());
        String hint = reply.status() == 401 || reply.status() == 403 ? FORBIDDEN_HINT : "";
        return OktaFailure.refused("Okta refused " + what + " (" + error.describe(reply.status()) + ")" + hint,
                error.details(reply.status()));
    }

    /** Keeps the order given, so audit records read alike. */
    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }

    /** URLEncoder encodes for forms; a path segment wants %20 for a space, and '+' stays encoded. */
    private static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
