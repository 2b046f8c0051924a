package io.irhub.connector.vault;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConfigField.Type;
import io.irhub.connector.api.ConnectorConfig;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One Vault instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param address          Vault's base URL without a trailing slash ({@code https://vault.example.com:8200})
 * @param namespace        sent as {@code X-Vault-Namespace} on every call (Vault Enterprise, HCP), or {@code null}
 * @param revoke           the credential that revokes leases and tokens
 * @param rotate           the credential that rotates secrets
 * @param timeout          per HTTP call
 * @param maxRetries       retries after the first attempt, for 429, 5xx and network errors
 * @param maxRateLimitWait the longest {@code Retry-After} the connector waits out
 * @param kvRotation       whether KV v2 secrets may be rotated by writing a new random value
 * @param kvRotationKey    the key of a KV v2 secret that holds the value to rotate
 */
record VaultConfig(URI address, String namespace, VaultAuth revoke, VaultAuth rotate, Duration timeout,
                   int maxRetries, Duration maxRateLimitWait, boolean kvRotation, String kvRotationKey) {

    static final String ADDRESS = "address";
    static final String NAMESPACE = "namespace";
    static final String ROLE_ID = "role-id";
    static final String SECRET_ID = "secret-id";
    static final String TOKEN = "token";
    static final String KV_ROTATION = "kv-rotation";
    static final String KV_ROTATION_KEY = "kv-rotation-key";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";
    static final String MAX_RATE_LIMIT_WAIT = "max-rate-limit-wait";

    /** The one KV rotation hook there is: a new random value written as a new version. */
    static final String RANDOM_PASSWORD = "random-password";

    static ConfigDef definition() {
        ConfigDef def = new ConfigDef()
                .define(ConfigField.required(ADDRESS, Type.URL,
                        "Vault's address, e.g. https://vault.example.com:8200 (without /v1)."))
                .define(ConfigField.optional(NAMESPACE, Type.STRING, null,
                        "Vault Enterprise or HCP namespace, sent as X-Vault-Namespace on every call (e.g. admin/team-a)."));
        for (Credential c : Credential.values()) {
            String prefix = c.id() + "-";
            def.define(ConfigField.optional(prefix + ROLE_ID, Type.STRING, null,
                            "Role id of the AppRole used to " + c.id() + "; needs " + prefix + SECRET_ID
                                    + ". Give either this AppRole or " + prefix + TOKEN + "."))
                    .define(ConfigField.optionalSecret(prefix + SECRET_ID,
                            "Secret id of the AppRole used to " + c.id() + "."))
                    .define(ConfigField.optionalSecret(prefix + TOKEN,
                            "A Vault token used to " + c.id() + ", typically ${file:/path} of a Vault Agent sink "
                                    + "(the file is read again before each use)."));
        }
        return def
                .define(ConfigField.optional(KV_ROTATION, Type.STRING, null,
                        "How KV v2 secrets are rotated, which Vault cannot do itself: '" + RANDOM_PASSWORD
                                + "' writes a new version with a new random value; unset refuses KV rotations."))
                .define(ConfigField.optional(KV_ROTATION_KEY, Type.STRING, "password",
                        "The key of a KV v2 secret whose value kv-rotation replaces; the other keys are kept."))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to Vault."))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a rate limit, a 5xx answer (a sealed Vault) or a network error."))
                .define(ConfigField.optional(MAX_RATE_LIMIT_WAIT, Type.DURATION, "60s",
                        "The longest Retry-After of Vault's rate limit quota to wait out; a longer one fails the action."));
    }

    /**
     * @throws ConfigException naming each field whose value cannot be used (never quoting a secret)
     */
    static VaultConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        URI address = config.url(ADDRESS);
        String url = address.toString().replaceAll("/+$", "");
        if (url.endsWith("/v1")) {
            errors.add(new ConfigError(ADDRESS, "give Vault's address without /v1; the connector adds it"));
        }
        if (address.getQuery() != null || address.getFragment() != null) {
            errors.add(new ConfigError(ADDRESS, "must not have a query or a fragment"));
        }
        VaultAuth revoke = auth(config, Credential.REVOKE, errors);
        VaultAuth rotate = auth(config, Credential.ROTATE, errors);
        String namespace = config.optionalString(NAMESPACE).map(n -> n.replaceAll("^/+|/+$", "")).orElse(null);
        boolean kvRotation = false;
        if (config.has(KV_ROTATION)) {
            if (config.string(KV_ROTATION).equals(RANDOM_PASSWORD)) {
                kvRotation = true;
            } else {
                errors.add(new ConfigError(KV_ROTATION, "'" + config.string(KV_ROTATION) + "' is not a known hook "
                        + "(the only one is " + RANDOM_PASSWORD + ")"));
            }
        }
        Duration timeout = config.duration(TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            errors.add(new ConfigError(TIMEOUT, "must be positive"));
        }
        int maxRetries = config.integer(MAX_RETRIES);
        if (maxRetries < 0) {
            errors.add(new ConfigError(MAX_RETRIES, "must be 0 or more"));
        }
        Duration maxRateLimitWait = config.duration(MAX_RATE_LIMIT_WAIT);
        if (maxRateLimitWait.isNegative()) {
            errors.add(new ConfigError(MAX_RATE_LIMIT_WAIT, "must not be negative"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        return new VaultConfig(URI.create(url), namespace == null || namespace.isEmpty() ? null : namespace,
                revoke, rotate, timeout, maxRetries, maxRateLimitWait, kvRotation, config.string(KV_ROTATION_KEY));
    }

    VaultAuth auth(Credential credential) {
        return credential == Credential.REVOKE ? revoke : rotate;
    }

    /** Exactly one way per credential: an AppRole (role id and secret id) or a token. */
    private static VaultAuth auth(ConnectorConfig config, Credential credential, List<ConfigError> errors) {
        String roleId = credential.id() + "-" + ROLE_ID;
        String secretId = credential.id() + "-" + SECRET_ID;
        String token = credential.id() + "-" + TOKEN;
        boolean hasRole = config.has(roleId);
        boolean hasSecretId = config.has(secretId);
        boolean hasToken = config.has(token);
        if (hasToken && (hasRole || hasSecretId)) {
            errors.add(new ConfigError(token, "is set together with " + (hasRole ? roleId : secretId)
                    + "; give the " + credential.id() + " credential one way: " + token + ", or " + roleId + " with "
                    + secretId));
            return null;
        }
        if (hasToken) {
            return new VaultAuth.Token(config.secret(token));
        }
        if (hasRole && hasSecretId) {
            return new VaultAuth.AppRole(config.string(roleId), config.secret(secretId));
        }
        if (hasRole) {
            errors.add(new ConfigError(secretId, "is required when " + roleId + " is set"));
        } else if (hasSecretId) {
            errors.add(new ConfigError(roleId, "is required when " + secretId + " is set"));
        } else {
            errors.add(new ConfigError(token, "the " + credential.id() + " credential is missing: set " + token
                    + ", or " + roleId + " with " + secretId));
        }
        return null;
    }
}
