package io.irhub.connector.scim;

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
import java.util.regex.Pattern;

/**
 * One SCIM instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param baseUrl             the service provider's base URL without a trailing slash
 *                            ({@code https://bridge.example.com/scim/v2})
 * @param tokens              one bearer token per credential
 * @param userFilterAttribute the attribute compared with the identity's login ({@code userName})
 * @param emailFilter         whether a login that finds nobody is tried as an email address
 * @param timeout             per HTTP call
 * @param maxRetries          retries after the first attempt, for 429, 5xx and network errors
 * @param maxRateLimitWait    the longest Retry-After the connector waits out; a longer one fails the action at once
 */
record ScimConfig(URI baseUrl, Map<Credential, Secret> tokens, String userFilterAttribute, boolean emailFilter,
                  Duration timeout, int maxRetries, Duration maxRateLimitWait) {

    static final String BASE_URL = "base-url";
    static final String USER_FILTER_ATTRIBUTE = "user-filter-attribute";
    static final String EMAIL_FILTER = "email-filter";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";
    static final String MAX_RATE_LIMIT_WAIT = "max-rate-limit-wait";

    // RFC 7644 §3.4.2.2 attrPath: [URI ":"] ATTRNAME *1subAttr. Checked so that configuration cannot inject filter
    // syntax (an "or" clause) into every lookup.
    private static final Pattern ATTR_PATH =
            Pattern.compile("(urn:[A-Za-z0-9.:_-]+:)?[A-Za-z][A-Za-z0-9_$-]*(\\.[A-Za-z][A-Za-z0-9_$-]*)?");

    static ConfigDef definition() {
        return new ConfigDef()
                .define(ConfigField.required(BASE_URL, Type.URL,
                        "The SCIM service provider's base URL, e.g. https://bridge.example.com/scim/v2."))
                .define(ConfigField.requiredSecret(Credential.LOOKUP.field(),
                        "Bearer token that may read users (GET /Users)."))
                .define(ConfigField.requiredSecret(Credential.SUSPEND.field(),
                        "Bearer token that may deactivate users (PATCH active=false)."))
                .define(ConfigField.requiredSecret(Credential.RESTORE.field(),
                        "Bearer token that may reactivate users (PATCH active=true)."))
                .define(ConfigField.optional(USER_FILTER_ATTRIBUTE, Type.STRING, "userName",
                        "The User attribute the identity's login is compared with (eq filter)."))
                .define(ConfigField.optional(EMAIL_FILTER, Type.BOOLEAN, "true",
                        "When the login finds nobody, look the identity up by work email, then by any email."))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call."))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a 429, a 5xx answer, a timeout or a network error."))
                .define(ConfigField.optional(MAX_RATE_LIMIT_WAIT, Type.DURATION, "60s",
                        "The longest Retry-After waited out; a longer one fails the action at once."));
    }

    /**
     * @throws ConfigException naming each field whose value cannot be used
     */
    static ScimConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        String attribute = config.string(USER_FILTER_ATTRIBUTE);
        if (!ATTR_PATH.matcher(attribute).matches()) {
            errors.add(new ConfigError(USER_FILTER_ATTRIBUTE, "'" + attribute + "' is not a SCIM attribute path "
                    + "(e.g. userName, externalId, name.familyName, or a schema URN followed by :attribute)"));
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
        URI url = config.url(BASE_URL);
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            errors.add(new ConfigError(BASE_URL, "must not have a query or a fragment"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        Map<Credential, Secret> tokens = new EnumMap<>(Credential.class);
        for (Credential credential : Credential.values()) {
            tokens.put(credential, config.secret(credential.field()));
        }
        return new ScimConfig(URI.create(url.toString().replaceAll("/+$", "")), Map.copyOf(tokens), attribute,
                config.bool(EMAIL_FILTER), timeout, maxRetries, maxRateLimitWait);
    }

    Secret token(Credential credential) {
        return tokens.get(credential);
    }
}
