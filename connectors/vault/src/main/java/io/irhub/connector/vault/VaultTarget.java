package io.irhub.connector.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Vault cluster (or namespace). Revokes leases (identity kind {@code secret}, a lease id) and tokens (kind
 * {@code api-token}, a token accessor), and rotates database credentials and, with a hook, KV v2 secrets.
 *
 * <p>Vault answers a revoke of an unknown lease with success and a revoke of an unknown accessor with the same error
 * as a mistyped one, so the lease or token is looked up first: an action that names nothing Vault knows is refused
 * rather than reported done.
 */
final class VaultTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(VaultTarget.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String instance;
    private final VaultConfig config;
    private final VaultClient client;
    private final RandomPassword passwords = new RandomPassword();

    VaultTarget(String instance, VaultConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.client = new VaultClient(instance, config, context);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public ActionOutcome execute(ActionRequest request) {
        Identity identity = request.identity();
        return switch (request.verb()) {
            case REVOKE -> revoke(identity);
            case ROTATE -> rotate(identity);
            default -> ActionOutcome.refused(null, "the Vault connector cannot " + request.verb().wireName()
                    + " (it can revoke and rotate)", Map.of("verb", request.verb().wireName()));
        };
    }

    @FunctionalInterface
    private interface Action {
        ActionOutcome run() throws VaultFailure;
    }

    private static ActionOutcome act(String targetRef, Action action) {
        try {
            return action.run();
        } catch (VaultFailure e) {
            return e.outcome(targetRef);
        }
    }

    // ---- self-check

    /**
     * Vault's health (unauthenticated), then for each credential a login (an AppRole) or a read of its token (a
     * file), and {@code GET /v1/auth/token/lookup-self}: the token is valid, and what it carries (policies, TTL,
     * renewable) is reported. Reads and logins only: nothing is changed, so a policy's paths are not tried; a token
     * whose only policy is {@code default} is reported, as that policy allows neither revoking nor rotating.
     */
    @Override
    public List<CheckResult> check() {
        List<CheckResult> results = new ArrayList<>();
        results.add(healthResult());
        for (Credential credential : Credential.values()) {
            results.add(credentialResult(credential));
        }
        LOG.debug("vault {}: self-check done, {} of {} ok", instance,
                results.stream().filter(CheckResult::ok).count(), results.size());
        return results;
    }

    private CheckResult healthResult() {
        String subject = "address";
        String at = "Vault at " + config.address();
        VaultClient.Reply reply;
        try {
            reply = client.health();
        } catch (VaultFailure e) {
            return new CheckResult(subject, false, e.getMessage());
        }
        JsonNode health = reply.body();
        if (reply.status() != 200 || !health.path("sealed").isBoolean()) {
            return new CheckResult(subject, false, "the server at " + config.address() + " answered "
                    + reply.error().describe(reply.status()) + " to GET /v1/sys/health, not Vault's health status; "
                    + "check address (Vault's address without /v1)");
        }
        String version = VaultClient.text(health, "version");
        String vault = version == null ? at : "Vault " + version + " at " + config.address();
        if (!health.path("initialized").asBoolean(true)) {
            return new CheckResult(subject, false, vault + " is not initialized; initialize and unseal it");
        }
        if (health.path("sealed").asBoolean()) {
            return new CheckResult(subject, false, vault + " is sealed, so every call fails with 503 until it is "
                    + "unsealed");
        }
        if ("secondary".equals(VaultClient.text(health, "replication_dr_mode"))) {
            return new CheckResult(subject, false, vault + " is a DR secondary, which serves no requests; point "
                    + "address at the primary cluster");
        }
        if (health.path("performance_standby").asBoolean(false)) {
            return new CheckResult(subject, true, vault + " is unsealed; this node is a performance standby, which "
                    + "forwards the connector's writes to the active node");
        }
        if (health.path("standby").asBoolean(false)) {
            return new CheckResult(subject, true, vault + " is unsealed; this node is a standby, which forwards "
                    + "requests to the active node (point address at the active node or its load balancer if "
                    + "request forwarding is off)");
        }
        return new CheckResult(subject, true, vault + " is initialized, unsealed and active");
    }

    private CheckResult credentialResult(Credential credential) {
        String subject = "credential " + credential.id();
        String which = describe(credential);
        VaultClient.Reply reply;
        try {
            reply = client.lookupSelf(credential);
        } catch (VaultFailure e) {
            // a refused login names the role id and what to check; otherwise Vault or the token file was not reached
            return new CheckResult(subject, false, e.status() == ActionOutcome.Status.REFUSED ? e.getMessage()
                    : "the " + credential.id() + " credential could not be checked: " + e.getMessage());
        }
        if (reply.status() == 403) {
            return new CheckResult(subject, false, "Vault denied the token lookup of " + which + " ("
                    + reply.error().describe(403) + "): the token is invalid, expired or revoked, or no policy of it "
                    + "allows read on auth/token/lookup-self (Vault's default policy does)");
        }
        if (!reply.ok()) {
            return new CheckResult(subject, false, "Vault answered " + reply.error().describe(reply.status())
                    + " to the token lookup of " + which);
        }
        // the answer holds the token itself (data.id): only these fields are read from it
        JsonNode data = reply.body().path("data");
        List<String> policies = strings(data.path("policies"));
        List<String> identityPolicies = strings(data.path("identity_policies"));
        long ttl = data.path("ttl").asLong(0);
        boolean renewable = data.path("renewable").asBoolean(false);
        String carries = "policies " + (policies.isEmpty() ? "(none)" : String.join(", ", policies))
                + (identityPolicies.isEmpty() ? "" : ", identity policies " + String.join(", ", identityPolicies))
                + ", " + (ttl <= 0 ? "no TTL (it does not expire)" : "a TTL of " + duration(ttl)) + ", "
                + (renewable ? "renewable" : "not renewable");
        if (identityPolicies.isEmpty() && policies.stream().allMatch("default"::equals)) {
            return new CheckResult(subject, false, which + " is valid but carries only Vault's default policy ("
                    + carries + "), which does not allow " + needs(credential));
        }
        return new CheckResult(subject, true, which + " is valid, with " + carries);
    }

    /** How the credential authenticates, for messages: never its secret id or token. */
    private String describe(Credential credential) {
        VaultAuth auth = config.auth(credential);
        if (auth instanceof VaultAuth.AppRole appRole) {
            return "the " + credential.id() + " credential's AppRole token (role id " + appRole.roleId() + ")";
        }
        VaultAuth.Token token = (VaultAuth.Token) auth;
        String source = token.token().source();
        return "the " + credential.id() + " credential's token" + (source == null ? "" : " (" + source + ")");
    }

    private static String needs(Credential credential) {
        return switch (credential) {
            case REVOKE -> "revoking: attach a policy granting update on sys/leases/lookup, sys/leases/revoke, "
                    + "auth/token/lookup-accessor and auth/token/revoke-accessor";
            case ROTATE -> "rotating: attach a policy granting update on {mount}/rotate-role/* and "
                    + "{mount}/rotate-root/* (and read and update on the KV v2 data paths with kv-rotation)";
        };
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> {
            if (v.isTextual()) {
                values.add(v.asText());
            }
        });
        return values;
    }

    /** {@code 1200} as {@code 20m}, {@code 2764790} as {@code 31d23h59m50s}. */
    static String duration(long seconds) {
        StringBuilder s = new StringBuilder();
        long[] units = {86400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        long rest = seconds;
        for (int i = 0; i < units.length; i++) {
            if (rest >= units[i]) {
                s.append(rest / units[i]).append(names[i]);
                rest %= units[i];
            }
        }
        return s.length() == 0 ? "0s" : s.toString();
    }

    // ---- revoke

    private ActionOutcome revoke(Identity identity) {
        // a lease id or an accessor is the source's own id for the thing; a source may also report it as the login
        String id = identity.externalId() != null ? identity.externalId() : identity.login();
        if (identity.kind() == IdentityKind.SECRET) {
            return id == null ? refusedName(identity, "a lease id") : act(id, () -> revokeLease(id));
        }
        if (identity.kind() == IdentityKind.API_TOKEN) {
            return id == null ? refusedName(identity, "a token accessor") : act(id, () -> revokeAccessor(id));
        }
        return ActionOutcome.refused(null, "Vault revokes leases (identity kind secret, by lease id) and tokens "
                        + "(kind api-token, by accessor), not a " + identity.kind().wireName(),
                Map.of("identity_kind", identity.kind().wireName()));
    }

    private static ActionOutcome refusedName(Identity identity, String what) {
        return ActionOutcome.refused(null, "the " + identity.kind().wireName() + " identity names no " + what
                + " (expected in its external id or login)", Map.of("identity_kind", identity.kind().wireName()));
    }

    private ActionOutcome revokeLease(String leaseId) throws VaultFailure {
        ObjectNode lease = JSON.createObjectNode().put("lease_id", leaseId);
        VaultClient.Reply lookup = client.call(Credential.REVOKE, "PUT", "sys/leases/lookup", lease);
        if (lookup.status() == 400 && lookup.error().mentions("invalid lease")) {
            throw VaultFailure.refused("Vault knows no lease " + leaseId + " (" + lookup.error().describe(400)
                    + "): it has expired or been revoked, or the id is wrong; Vault cannot tell these apart",
                    naming("lease_id", leaseId, lookup));
        }
        if (!lookup.ok()) {
            throw refusal("the lookup of lease " + leaseId, lookup, Credential.REVOKE, "update", "sys/leases/lookup");
        }
        // sync: Vault revokes the secret at its source (drops the database user) before it answers
        VaultClient.Reply revoked = client.call(Credential.REVOKE, "PUT", "sys/leases/revoke",
                lease.deepCopy().put("sync", true));
        if (!revoked.ok()) {
            throw refusal("the revocation of lease " + leaseId, revoked, Credential.REVOKE, "update",
                    "sys/leases/revoke");
        }
        LOG.info("vault {}: revoked lease {}", instance, leaseId);
        return ActionOutcome.succeeded(leaseId, "revoked Vault lease " + leaseId,
                details("lease_id", leaseId, "expire_time_before", VaultClient.text(lookup.body().path("data"),
                        "expire_time")));
    }

    private ActionOutcome revokeAccessor(String accessor) throws VaultFailure {
        ObjectNode body = JSON.createObjectNode().put("accessor", accessor);
        VaultClient.Reply lookup = client.call(Credential.REVOKE, "POST", "auth/token/lookup-accessor", body);
        if (lookup.status() == 400 && lookup.error().mentions("invalid accessor")) {
            throw VaultFailure.refused("Vault knows no token with accessor " + accessor + " ("
                    + lookup.error().describe(400) + "): it has expired or been revoked, or the accessor is wrong; "
                    + "Vault cannot tell these apart", naming("accessor", accessor, lookup));
        }
        if (!lookup.ok()) {
            throw refusal("the lookup of token accessor " + accessor, lookup, Credential.REVOKE, "update",
                    "auth/token/lookup-accessor");
        }
        String displayName = VaultClient.text(lookup.body().path("data"), "display_name");
        VaultClient.Reply revoked = client.call(Credential.REVOKE, "POST", "auth/token/revoke-accessor", body);
        if (revoked.ok()) {
            LOG.info("vault {}: revoked the token with accessor {} and its children", instance, accessor);
            return ActionOutcome.succeeded(accessor, "revoked the Vault token with accessor " + accessor
                    + (displayName == null ? "" : " (" + displayName + ")") + " and its child tokens",
                    details("accessor", accessor, "display_name", displayName));
        }
        // Vault drops a token's accessor entry when it revokes the token or the token expires. It was there at the
        // lookup, so this token is gone now: revoked meanwhile, perhaps by an earlier attempt whose answer was lost.
        if (revoked.status() == 400 && revoked.error().mentions("invalid accessor")) {
            return ActionOutcome.alreadyDone(accessor, "the Vault token with accessor " + accessor + " was revoked "
                    + "or expired between its lookup and this revocation", details("accessor", accessor,
                    "display_name", displayName, "http_status", revoked.status()));
        }
        throw refusal("the revocation of token accessor " + accessor, revoked, Credential.REVOKE, "update",
                "auth/token/revoke-accessor");
    }

    /** The id the action named, then Vault's answer. */
    private static Map<String, Object> naming(String key, String id, VaultClient.Reply reply) {
        Map<String, Object> details = details(key, id);
        details.putAll(reply.error().details(reply.status()));
        return details;
    }

    // ---- rotate

    private ActionOutcome rotate(Identity identity) {
        if (identity.kind() != IdentityKind.SECRET) {
            return ActionOutcome.refused(null, "Vault rotates secrets (identity kind secret), not a "
                    + identity.kind().wireName(), Map.of("identity_kind", identity.kind().wireName()));
        }
        String name = identity.name();
        Optional<RotationTarget> parsed = RotationTarget.parse(name);
        if (parsed.isEmpty()) {
            return ActionOutcome.refused(name, "cannot tell what to rotate from '" + name + "': expected "
                    + "{mount}/static-roles/{name}, {mount}/config/{name} or kv:{mount}/{path}", Map.of());
        }
        RotationTarget target = parsed.get();
        return act(target.name(), () -> {
            if (target instanceof RotationTarget.StaticRole role) {
                return rotateStaticRole(role);
            }
            if (target instanceof RotationTarget.Root root) {
                return rotateRoot(root);
            }
            return rotateKv((RotationTarget.KvSecret) target);
        });
    }

    private ActionOutcome rotateStaticRole(RotationTarget.StaticRole role) throws VaultFailure {
        String path = role.apiPath();
        VaultClient.Reply reply = client.call(Credential.ROTATE, "POST", path, null);
        if (!reply.ok()) {
            throw refusal("the rotation of static role " + role.name(), reply, Credential.ROTATE, "update", path);
        }
        LOG.info("vault {}: rotated the credentials of static role {}", instance, role.name());
        return ActionOutcome.succeeded(role.name(), "Vault rotated the password of static role " + role.name(),
                details("mount", role.mount(), "static_role", role.role()));
    }

    private ActionOutcome rotateRoot(RotationTarget.Root root) throws VaultFailure {
        String path = root.apiPath();
        VaultClient.Reply reply = client.call(Credential.ROTATE, "POST", path, null);
        if (!reply.ok()) {
            throw refusal("the root rotation of connection " + root.name(), reply, Credential.ROTATE, "update", path);
        }
        LOG.info("vault {}: rotated the root credentials of connection {}", instance, root.name());
        return ActionOutcome.succeeded(root.name(), "Vault rotated its own credentials for connection "
                + root.name(), details("mount", root.mount(), "connection", root.connection()));
    }

    /**
     * KV v2 keeps values, it does not rotate them: the hook writes a new version with a new random value for one key
     * and every other key as it was, with check-and-set so a write made meanwhile is not overwritten. Neither the old
     * nor the new value is logged or returned.
     */
    private ActionOutcome rotateKv(RotationTarget.KvSecret kv) throws VaultFailure {
        if (!config.kvRotation()) {
            return ActionOutcome.refused(kv.name(), "KV v2 has no rotate operation and no kv-rotation hook is "
                    + "configured for this instance (kv-rotation: " + VaultConfig.RANDOM_PASSWORD
                    + " writes a new random value)", details("mount", kv.mount(), "path", kv.path()));
        }
        String key = config.kvRotationKey();
        String path = kv.dataPath();
        Map<String, Object> facts = details("mount", kv.mount(), "path", kv.path(), "key", key);
        Current current = readKv(kv, path);
        if (!current.data().has(key)) {
            facts.put("keys", fieldNames(current.data()));
            throw VaultFailure.refused("the KV v2 secret " + kv.name() + " has no key '" + key + "' to rotate "
                    + "(kv-rotation-key)", facts);
        }
        String value = passwords.next();
        ObjectNode data = current.data().deepCopy().put(key, value);
        ObjectNode body = JSON.createObjectNode();
        body.putObject("options").put("cas", current.version());
        body.set("data", data);
        VaultClient.Reply written = client.call(Credential.ROTATE, "POST", path, body);
        facts.put("version_before", current.version());
        if (written.ok()) {
            long version = written.body().path("data").path("version").asLong(current.version() + 1);
            facts.put("version_after", version);
            LOG.info("vault {}: wrote version {} of {} with a new value for key {}", instance, version, kv.name(), key);
            return ActionOutcome.succeeded(kv.name(), "wrote version " + version + " of KV v2 secret " + kv.name()
                    + " with a new random value for '" + key + "', keeping its other keys", facts);
        }
        if (written.status() == 400 && written.error().mentions("check-and-set")) {
            // a retried write whose first answer was lost fails check-and-set against its own version
            Current now = readKv(kv, path);
            if (value.equals(now.data().path(key).asText(null))) {
                facts.put("version_after", now.version());
                LOG.info("vault {}: version {} of {} holds the new value for key {}", instance, now.version(),
                        kv.name(), key);
                return ActionOutcome.succeeded(kv.name(), "wrote version " + now.version() + " of KV v2 secret "
                        + kv.name() + " with a new random value for '" + key + "', keeping its other keys", facts);
            }
            facts.put("version_now", now.version());
            throw VaultFailure.refused("KV v2 secret " + kv.name() + " changed from version " + current.version()
                    + " to " + now.version() + " while it was being rotated; nothing was written", facts);
        }
        throw refusal("the write of a new version of " + kv.name(), written, Credential.ROTATE, "update", path);
    }

    /** The latest version of a KV v2 secret: its data (never logged) and its version number. */
    private record Current(ObjectNode data, long version) {
        @Override
        public String toString() {
            return "Current[version=" + version + "]";
        }
    }

    private Current readKv(RotationTarget.KvSecret kv, String path) throws VaultFailure {
        VaultClient.Reply read = client.call(Credential.ROTATE, "GET", path, null);
        if (read.status() == 404) {
            throw VaultFailure.refused("no KV v2 secret " + kv.name() + " (nothing at " + path + ", or its latest "
                    + "version is deleted)", details("mount", kv.mount(), "path", kv.path(), "http_status", 404));
        }
        if (!read.ok()) {
            throw refusal("the read of " + kv.name(), read, Credential.ROTATE, "read", path);
        }
        JsonNode data = read.body().path("data").path("data");
        long version = read.body().path("data").path("metadata").path("version").asLong(0);
        if (!data.isObject() || version <= 0) {
            throw VaultFailure.refused(kv.name() + " is not a KV v2 secret (no data.data and data.metadata.version "
                    + "in Vault's answer; is " + kv.mount() + " a KV version 1 mount?)", details("mount", kv.mount(),
                    "path", kv.path()));
        }
        return new Current((ObjectNode) data, version);
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ---- errors

    /**
     * Vault's refusal of a call, with a pointer to the policy when it is a 403: Vault's policies are per path, so the
     * message names the path and the capability the credential lacks.
     */
    private VaultFailure refusal(String what, VaultClient.Reply reply, Credential credential, String capability,
                                 String path) {
        VaultError error = reply.error();
        StringBuilder message = new StringBuilder("Vault refused ").append(what).append(" (")
                .append(error.describe(reply.status())).append(')');
        if (reply.status() == 403 || reply.status() == 401) {
            message.append("; the ").append(credential.id()).append(" credential's policy needs \"")
                    .append(capability).append("\" on path \"").append(path).append('"');
            if (config.namespace() != null) {
                message.append(" in namespace ").append(config.namespace());
            }
            message.append(", and its token must be valid");
        }
        Map<String, Object> details = error.details(reply.status());
        details.put("credential", credential.id());
        return VaultFailure.refused(message.toString(), details);
    }

    /** Keeps the order given, so audit records read alike; {@code null} values are dropped by the outcome. */
    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }
}
