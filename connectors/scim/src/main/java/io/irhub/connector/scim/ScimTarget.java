package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One SCIM 2.0 service provider. Every action first finds exactly one User (by id, by the login, then by email) with
 * the lookup token; suspend and restore then read {@code active} and change it only when it differs, with their own
 * token, so a repeated action reports {@code ALREADY_DONE} and the hub never claims a change it did not make.
 */
final class ScimTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(ScimTarget.class);
    private static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private final String instance;
    private final ScimConfig config;
    private final ScimClient client;

    /** A user and how it was found ({@code id}, {@code userName}, {@code work email}, {@code email}). */
    private record Found(ScimUser user, String by) {
    }

    ScimTarget(String instance, ScimConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.client = new ScimClient(instance, config, context);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public ActionOutcome execute(ActionRequest request) {
        return switch (request.verb()) {
            case LOOKUP -> act(request.identity(), this::found);
            case SUSPEND -> act(request.identity(), found -> setActive(found.user(), false));
            case RESTORE -> act(request.identity(), found -> setActive(found.user(), true));
            default -> ActionOutcome.refused(null, "the SCIM connector cannot " + request.verb().wireName()
                    + " (it can lookup, suspend and restore)", Map.of("verb", request.verb().wireName()));
        };
    }

    // ---- self-check

    /**
     * One {@code GET /Users?count=1} with each token. The lookup token must be answered with a list of users. The
     * suspend and restore tokens can only be told apart as authenticated or not (401): what they may change shows
     * only when they change something, which a check does not. {@code /Users} is read rather than
     * {@code /ServiceProviderConfig}, which a server may serve without authentication, so that a token it does not
     * know is always answered 401. Reads only: nothing is changed.
     */
    @Override
    public List<CheckResult> check() {
        List<CheckResult> results = new ArrayList<>();
        for (Credential credential : Credential.values()) {
            results.add(tokenResult(credential));
        }
        LOG.debug("scim {}: self-check done, {} of {} ok", instance,
                results.stream().filter(CheckResult::ok).count(), results.size());
        return results;
    }

    private CheckResult tokenResult(Credential credential) {
        String subject = "credential " + credential.id();
        String token = "the " + credential.field();
        ScimClient.Reply reply;
        try {
            reply = client.get("/Users?count=1", credential);
        } catch (ScimFailure e) {
            return new CheckResult(subject, false, token + " could not be checked: " + e.getMessage());
        }
        int status = reply.status();
        String answer = ScimError.from(reply.body()).describe(status);
        if (status == 401) {
            return new CheckResult(subject, false, "the SCIM server at " + config.baseUrl() + " did not accept "
                    + token + " (" + answer + "); check the secret it references, which may be wrong, expired or "
                    + "revoked");
        }
        if (status == 404) {
            return new CheckResult(subject, false, "the SCIM server answered " + answer + " to GET /Users; check "
                    + "base-url, the URL /Users is below (e.g. https://bridge.example.com/scim/v2)");
        }
        if (credential != Credential.LOOKUP) {
            return new CheckResult(subject, true, "the SCIM server accepts " + token + " (GET /Users?count=1 "
                    + "answered HTTP " + status + ", not 401); whether it may " + allowed(credential)
                    + " cannot be checked without changing a user");
        }
        if (status == 403) {
            return new CheckResult(subject, false, "the SCIM server accepts " + token + " but refused it a read of "
                    + "users (" + answer + "); allow the token to read users");
        }
        if (status != 200) {
            return new CheckResult(subject, false, "the SCIM server answered " + answer + " to a read of users with "
                    + token);
        }
        if (!reply.body().has("totalResults") && !reply.body().has("Resources")) {
            return new CheckResult(subject, false, "the server at " + config.baseUrl() + " answered GET /Users "
                    + "with HTTP 200 but no SCIM ListResponse; check base-url");
        }
        return new CheckResult(subject, true, "the SCIM server at " + config.baseUrl() + " lets " + token
                + " read users (GET /Users?count=1, HTTP 200)");
    }

    // ---- actions

    @FunctionalInterface
    private interface Action {
        ActionOutcome on(Found found) throws ScimFailure;
    }

    private ActionOutcome act(Identity identity, Action action) {
        Found found = null;
        try {
            found = find(identity);
            return action.on(found);
        } catch (ScimFailure e) {
            return e.outcome(found == null ? null : found.user().id());
        }
    }

    /**
     * By the identity's external id as the SCIM id, then its login (or email) in the configured attribute, then, if
     * enabled, its email (or an email-like login) as a work email and as any email.
     *
     * @throws ScimFailure REFUSED when nobody or more than one user matches
     */
    private Found find(Identity identity) throws ScimFailure {
        List<String> tried = new ArrayList<>();
        if (identity.externalId() != null) {
            ScimClient.Reply reply = client.get("/Users/" + encode(identity.externalId()), Credential.LOOKUP);
            if (reply.status() == 200) {
                return new Found(ScimUser.from(reply.body()), "id");
            }
            if (reply.status() != 404) {
                throw refusal("the read of SCIM user " + identity.externalId(), reply, Credential.LOOKUP);
            }
            tried.add("id " + identity.externalId());
        }
        String name = identity.login() != null ? identity.login() : identity.email();
        if (name != null) {
            Optional<ScimUser> user = search(ScimFilter.eq(config.userFilterAttribute(), name),
                    config.userFilterAttribute(), name);
            if (user.isPresent()) {
                return new Found(user.get(), config.userFilterAttribute());
            }
            tried.add(config.userFilterAttribute() + " " + name);
        }
        String email = identity.email() != null ? identity.email()
                : identity.login() != null && identity.login().contains("@") ? identity.login() : null;
        if (config.emailFilter() && email != null) {
            Optional<ScimUser> user = search(ScimFilter.workEmail(email), "emails.value", email);
            if (user.isPresent()) {
                return new Found(user.get(), "work email");
            }
            user = search(ScimFilter.anyEmail(email), "emails.value", email);
            if (user.isPresent()) {
                return new Found(user.get(), "email");
            }
            tried.add("email " + email);
        }
        throw ScimFailure.refused("no SCIM user with " + String.join(", nor ", tried),
                details("tried", List.copyOf(tried)));
    }

    /**
     * One {@code GET /Users?filter=…}. The one user found must carry the value it was searched by (when the answer
     * shows that attribute): a server that ignores filters it does not support would otherwise answer its only user.
     */
    private Optional<ScimUser> search(String filter, String attribute, String value) throws ScimFailure {
        ScimClient.Reply reply = client.get("/Users?filter=" + encode(filter), Credential.LOOKUP);
        if (reply.status() != 200) {
            throw refusal("the search " + filter, reply, Credential.LOOKUP);
        }
        JsonNode resources = reply.body().path("Resources");
        int total = reply.body().path("totalResults").asInt(resources.size());
        if (total > 1 || resources.size() > 1) {
            throw ScimFailure.refused(Math.max(total, resources.size()) + " SCIM users match " + filter
                    + "; refusing to pick one", details("filter", filter, "total_results", total));
        }
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        JsonNode resource = resources.get(0);
        List<String> values = ScimUser.values(resource, attribute);
        if (!values.isEmpty() && values.stream().noneMatch(value::equalsIgnoreCase)) {
            throw ScimFailure.refused("the SCIM server answered the search " + filter + " with a user whose "
                    + attribute + " is " + values + "; it may not support this filter", details("filter", filter,
                    "scim_id", ScimError.text(resource, "id")));
        }
        return Optional.of(ScimUser.from(resource));
    }

    private ActionOutcome found(Found found) {
        ScimUser user = found.user();
        return ActionOutcome.succeeded(user.id(), "found SCIM user " + user.userName() + " by " + found.by()
                        + (user.active() == null ? "" : user.active() ? ", active" : ", inactive"),
                details("scim_id", user.id(), "user_name", user.userName(), "active", user.active(),
                        "matched_by", found.by()));
    }

    private ActionOutcome setActive(ScimUser user, boolean wanted) throws ScimFailure {
        Credential credential = wanted ? Credential.RESTORE : Credential.SUSPEND;
        String change = wanted ? "reactivate" : "deactivate";
        if (user.active() == null) {
            return ActionOutcome.refused(user.id(), "SCIM user " + user.userName() + " has no active attribute; "
                    + "the server may not support deactivation", details("scim_id", user.id(), "user_name",
                    user.userName()));
        }
        if (user.active() == wanted) {
            return ActionOutcome.alreadyDone(user.id(), "SCIM user " + user.userName() + " is already "
                    + (wanted ? "active" : "inactive"), details("scim_id", user.id(), "user_name", user.userName(),
                    "active", wanted));
        }
        ScimClient.Reply reply = client.patch("/Users/" + encode(user.id()), replaceActive(wanted), credential);
        if (reply.status() == 200 || reply.status() == 204) {
            JsonNode after = reply.body().path("active");
            if (reply.status() == 200 && after.isBoolean() && after.booleanValue() != wanted) {
                throw ScimFailure.refused("the SCIM server accepted the " + change + " of " + user.userName()
                                + " but answered active=" + after.booleanValue(),
                        details("scim_id", user.id(), "http_status", 200, "active", after.booleanValue()));
            }
            LOG.info("scim {}: {}d user {}", instance, change, user.id());
            return ActionOutcome.succeeded(user.id(), change + "d SCIM user " + user.userName(),
                    details("scim_id", user.id(), "user_name", user.userName(), "active_before", !wanted,
                            "active_after", wanted));
        }
        throw refusal("the " + change + " of " + user.userName(), reply, credential);
    }

    /** RFC 7644 §3.5.2.3: {@code {"op":"replace","path":"active","value":…}}. */
    static ObjectNode replaceActive(boolean active) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("schemas").add(PATCH_OP);
        body.putArray("Operations").addObject().put("op", "replace").put("path", "active").put("value", active);
        return body;
    }

    private ScimFailure refusal(String what, ScimClient.Reply reply, Credential credential) {
        ScimError error = ScimError.from(reply.body());
        String hint = reply.status() == 401 || reply.status() == 403
                ? "; check that the " + credential.field() + " is valid and allowed to " + allowed(credential) : "";
        return ScimFailure.refused("the SCIM server refused " + what + " (" + error.describe(reply.status()) + ")"
                + hint, error.details(reply.status()));
    }

    private static String allowed(Credential credential) {
        return switch (credential) {
            case LOOKUP -> "read users";
            case SUSPEND -> "set active to false";
            case RESTORE -> "set active to true";
        };
    }

    /** Keeps the order given, so audit records read alike. */
    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }

    /**
     * For a path segment or a query value. URLEncoder encodes for forms; servers read a '+' in a query as a space or
     * as a plus, so a space is sent as %20 (and a plus stays %2B).
     */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
