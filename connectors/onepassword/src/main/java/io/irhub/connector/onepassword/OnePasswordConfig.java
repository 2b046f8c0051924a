package io.irhub.connector.onepassword;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConfigField.Type;
import io.irhub.connector.api.ConnectorConfig;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One 1Password instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param baseUrl          the region's API server without a trailing slash ({@code https://api.1password.eu})
 * @param accountId        the 1Password account the users belong to
 * @param apps             one OAuth application per {@link Application}
 * @param timeout          per HTTP call
 * @param maxRetries       retries after the first attempt, for 429, 5xx and network errors
 * @param maxRateLimitWait the longest Retry-After the connector waits out; a longer one fails the action
 */
record OnePasswordConfig(URI baseUrl, String accountId, Map<Application, OAuthApp> apps, Duration timeout,
                         int maxRetries, Duration maxRateLimitWait) {

    static final String BASE_URL = "base-url";
    static final String ACCOUNT_ID = "account-id";
    static final String CLIENT_ID = "client-id";
    static final String CLIENT_SECRET = "client-secret";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";
    static final String MAX_RATE_LIMIT_WAIT = "max-rate-limit-wait";

    static final String TOKEN_PATH = "/v1beta1/users/oauth2/token";

    static ConfigDef definition() {
        ConfigDef def = new ConfigDef()
                .define(ConfigField.optional(BASE_URL, Type.URL, "https://api.1password.com",
                        "The Users API server of the account's region: https://api.1password.com, "
                                + "https://api.1password.ca or https://api.1password.eu."))
                .define(ConfigField.required(ACCOUNT_ID, Type.STRING,
                        "The 1Password account's unique identifier, as the Users API paths name it."));
        for (Application app : Application.values()) {
            String prefix = app.id() + "-";
            def.define(ConfigField.required(prefix + CLIENT_ID, Type.STRING,
                            "Client id of the OAuth application for " + app.id() + " (permissions: "
                                    + app.permissions() + " only)."))
                    .define(ConfigField.requiredSecret(prefix + CLIENT_SECRET,
                            "Client secret of the " + app.id() + " OAuth application."));
        }
        return def
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to 1Password."))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a rate limit, a 5xx answer or a network error."))
                .define(ConfigField.optional(MAX_RATE_LIMIT_WAIT, Type.DURATION, "60s",
                        "The longest Retry-After to wait out; a longer one fails the action."));
    }

    /**
     * @throws ConfigException naming each field whose value cannot be used
     */
    static OnePasswordConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
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
        URI baseUrl = config.url(BASE_URL);
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            errors.add(new ConfigError(BASE_URL, "must not have a query or fragment"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        Map<Application, OAuthApp> apps = new EnumMap<>(Application.class);
        for (Application app : Application.values()) {
            apps.put(app, new OAuthApp(config.string(app.id() + "-" + CLIENT_ID),
                    config.secret(app.id() + "-" + CLIENT_SECRET)));
        }
        return new OnePasswordConfig(URI.create(baseUrl.toString().replaceAll("/+$", "")),
                config.string(ACCOUNT_ID), Collections.unmodifiableMap(apps), timeout, maxRetries, maxRateLimitWait);
    }

    OAuthApp app(Application app) {
        return apps.get(app);
    }

    URI tokenUrl() {
        return url(TOKEN_PATH);
    }

    /** @param pathAndQuery already encoded, from the version on ({@code /v1beta1/accounts/…}) */
    URI url(String pathAndQuery) {
        return URI.create(baseUrl + pathAndQuery);
    }

    /** {@code /v1beta1/accounts/{account_id}/users}, the account id encoded as one path segment. */
    String usersPath() {
        return "/v1beta1/accounts/" + pathSegment(accountId) + "/users";
    }

    /** URLEncoder encodes for forms; a path segment wants %20 for a space, and '+' stays encoded. */
    static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
