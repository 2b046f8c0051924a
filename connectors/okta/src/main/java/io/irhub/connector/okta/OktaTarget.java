package io.irhub.connector.okta;

import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
    private final OktaClient client;

    OktaTarget(String instance, OktaConfig config, ConnectorContext context) {
        this.instance = instance;
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
