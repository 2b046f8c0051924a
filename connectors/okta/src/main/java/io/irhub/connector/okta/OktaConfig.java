package io.irhub.connector.okta;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConfigField.Type;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.Secret;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Okta instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param orgUrl           the org's base URL without a trailing slash ({@code https://acme.okta.com})
 * @param apps             the service app of each credential (the default app where none is set apart)
 * @param dpop             send DPoP proofs from the first token request on; when {@code false} they are sent once
 *                         Okta asks for them
 * @param timeout          per HTTP call
 * @param maxRetries       retries after the first attempt, for 429, 5xx and network errors
 * @param maxRateLimitWait the longest wait for a rate limit to reset before the action is reported failed
 */
record OktaConfig(URI orgUrl, Map<Credential, ServiceApp> apps, boolean dpop, Duration timeout, int maxRetries,
                  Duration maxRateLimitWait) {

    static final String ORG_URL = "org-url";
    static final String CLIENT_ID = "client-id";
    static final String PRIVATE_KEY = "private-key";
    static final String KEY_ID = "key-id";
    static final String DPOP = "dpop";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";
    static final String MAX_RATE_LIMIT_WAIT = "max-rate-limit-wait";

    static ConfigDef definition() {
        ConfigDef def = new ConfigDef()
                .define(ConfigField.required(ORG_URL, Type.URL, "The Okta org's URL, e.g. https://acme.okta.com."))
                .define(ConfigField.required(CLIENT_ID, Type.STRING,
                        "Client id of the default service app, used for every credential not configured separately."))
                .define(ConfigField.requiredSecret(PRIVATE_KEY,
                        "The default service app's private key: PEM PKCS#8, RSA (RS256) or EC P-256 (ES256)."))
                .define(ConfigField.optional(KEY_ID, Type.STRING, null,
                        "The kid of the default service app's registered public key, sent in the JWT header."));
        for (Credential c : Credential.values()) {
            String prefix = c.id() + "-";
            def.define(ConfigField.optional(prefix + CLIENT_ID, Type.STRING, null,
                            "Client id of a separate service app for " + c.id() + " (scope " + c.scope()
                                    + "); the default app is used when not set."))
                    .define(ConfigField.optionalSecret(prefix + PRIVATE_KEY,
                            "Private key of the " + c.id() + " service app (PEM PKCS#8, RSA or EC P-256)."))
                    .define(ConfigField.optional(prefix + KEY_ID, Type.STRING, null,
                            "The kid of the " + c.id() + " service app's registered public key."));
        }
        return def
                .define(ConfigField.optional(DPOP, Type.BOOLEAN, "false",
                        "Whether the service apps require DPoP-bound tokens (RFC 9449); when false, DPoP proofs are "
                                + "still sent once Okta asks for them."))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to Okta."))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a rate limit, a 5xx answer or a network error."))
                .define(ConfigField.optional(MAX_RATE_LIMIT_WAIT, Type.DURATION, "60s",
                        "The longest wait for Okta's rate limit to reset; a longer one fails the action."));
    }

    /**
     * @throws ConfigException naming each field whose value cannot be used (never quoting a key)
     */
    static OktaConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        ServiceApp defaultApp = serviceApp(config, "", errors);
        Map<Credential, ServiceApp> apps = new EnumMap<>(Credential.class);
        for (Credential c : Credential.values()) {
            apps.put(c, overriding(config, c, defaultApp, errors));
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
        String url = config.url(ORG_URL).toString().replaceAll("/+$", "");
        return new OktaConfig(URI.create(url), Map.copyOf(apps), config.bool(DPOP), timeout, maxRetries,
                maxRateLimitWait);
    }

    ServiceApp app(Credential credential) {
        return apps.get(credential);
    }

    private static ServiceApp overriding(ConnectorConfig config, Credential credential, ServiceApp defaultApp,
                                         List<ConfigError> errors) {
        String prefix = credential.id() + "-";
        boolean hasId = config.has(prefix + CLIENT_ID);
        boolean hasKey = config.has(prefix + PRIVATE_KEY);
        if (hasId && !hasKey) {
            errors.add(new ConfigError(prefix + PRIVATE_KEY, "is required when " + prefix + CLIENT_ID + " is set"));
        } else if (hasKey && !hasId) {
            errors.add(new ConfigError(prefix + CLIENT_ID, "is required when " + prefix + PRIVATE_KEY + " is set"));
        } else if (hasId) {
            return serviceApp(config, prefix, errors);
        } else if (config.has(prefix + KEY_ID)) {
            // a kid for an app that is not configured would be silently ignored
            errors.add(new ConfigError(prefix + KEY_ID, "is set but " + prefix + CLIENT_ID + " is not"));
        }
        return defaultApp;
    }

    private static ServiceApp serviceApp(ConnectorConfig config, String prefix, List<ConfigError> errors) {
        Secret key = config.secret(prefix + PRIVATE_KEY);
        Optional<String> keyId = config.optionalString(prefix + KEY_ID);
        try {
            return ServiceApp.of(config.string(prefix + CLIENT_ID), key.reveal(), keyId.orElse(null));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(prefix + PRIVATE_KEY, "(" + key.source() + ") " + e.getMessage()));
            return null;
        }
    }
}
