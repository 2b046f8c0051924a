package io.irhub.connector.sentinel;

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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One Sentinel source instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param auth                  how webhook deliveries prove where they come from
 * @param bearerToken           the token expected in {@code Authorization: Bearer …} when {@code auth} is bearer
 * @param hmacSecret            the key of the body's HMAC when {@code auth} is hmac
 * @param actOnSeverityIncrease whether an incident raised to a new severity makes a new signal
 * @param maxBodyBytes          the largest delivery accepted
 * @param graph                 the pull side's settings, present when polling is on
 */
record SentinelConfig(Auth auth, Optional<Secret> bearerToken, Optional<Secret> hmacSecret,
                      boolean actOnSeverityIncrease, int maxBodyBytes, Optional<Graph> graph) {

    static final String AUTH = "auth";
    static final String BEARER_TOKEN = "bearer-token";
    static final String HMAC_SECRET = "hmac-secret";
    static final String ACT_ON_SEVERITY_INCREASE = "act-on-severity-increase";
    static final String MAX_BODY_BYTES = "max-body-bytes";
    static final String POLL = "poll";
    static final String TENANT_ID = "tenant-id";
    static final String CLIENT_ID = "client-id";
    static final String CLIENT_SECRET = "client-secret";
    static final String GRAPH_BASE_URL = "graph-base-url";
    static final String LOGIN_BASE_URL = "login-base-url";
    static final String POLL_INTERVAL = "poll-interval";
    static final String POLL_LOOKBACK = "poll-lookback";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";

    // a tenant id goes into the token URL's path: a GUID or a domain name, one segment, nothing to escape
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");

    /** How webhook deliveries are authenticated. */
    enum Auth {
        /** {@code Authorization: Bearer <bearer-token>}. */
        BEARER,
        /** {@code X-Irhub-Signature}: hex HMAC-SHA256 of the raw body keyed with {@code hmac-secret}. */
        HMAC,
        /** No webhook: every delivery is refused (an instance that only polls). */
        OFF;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The Microsoft Graph side.
     *
     * @param tenantId     the Entra tenant (directory) id
     * @param clientId     the app registration's application (client) id
     * @param clientSecret its client secret
     * @param graphBaseUrl without a trailing slash
     * @param loginBaseUrl without a trailing slash
     * @param pollInterval how often the hub polls
     * @param pollLookback how far back the first poll looks
     * @param timeout      per HTTP call
     * @param maxRetries   retries after the first attempt, for 5xx other than 503 and for network errors
     */
    record Graph(String tenantId, String clientId, Secret clientSecret, URI graphBaseUrl, URI loginBaseUrl,
                 Duration pollInterval, Duration pollLookback, Duration timeout, int maxRetries) {

        URI tokenUrl() {
            return URI.create(loginBaseUrl + "/" + tenantId + "/oauth2/v2.0/token");
        }
    }

    static ConfigDef definition() {
        return new ConfigDef()
                .define(ConfigField.required(AUTH, Type.STRING,
                        "How webhook deliveries are authenticated: bearer (Authorization header), hmac "
                                + "(X-Irhub-Signature header) or off (no webhook; the instance only polls)"))
                .define(ConfigField.optionalSecret(BEARER_TOKEN,
                        "Token the Logic App sends as 'Authorization: Bearer <token>'; required when auth is bearer"))
                .define(ConfigField.optionalSecret(HMAC_SECRET,
                        "Key of the hex HMAC-SHA256 of the body sent in X-Irhub-Signature; required when auth is hmac"))
                .define(ConfigField.optional(ACT_ON_SEVERITY_INCREASE, Type.BOOLEAN, "false",
                        "When true, an incident raised to a severity not seen before makes a new signal; "
                                + "otherwise each incident makes one signal however often it is updated"))
                .define(ConfigField.optional(MAX_BODY_BYTES, Type.INT, "4194304",
                        "Largest delivery accepted, in bytes (an incident carries its alerts, entities and comments)"))
                .define(ConfigField.optional(POLL, Type.BOOLEAN, "false",
                        "Also pull incidents from Microsoft Graph (GET /v1.0/security/incidents)"))
                .define(ConfigField.optional(TENANT_ID, Type.STRING, null,
                        "Entra tenant (directory) id to get Graph tokens from; required when poll is true"))
                .define(ConfigField.optional(CLIENT_ID, Type.STRING, null,
                        "Application (client) id of the app registration with SecurityIncident.Read.All; "
                                + "required when poll is true"))
                .define(ConfigField.optionalSecret(CLIENT_SECRET,
                        "Client secret of that app registration; required when poll is true"))
                .define(ConfigField.optional(GRAPH_BASE_URL, Type.URL, "https://graph.microsoft.com",
                        "Microsoft Graph endpoint"))
                .define(ConfigField.optional(LOGIN_BASE_URL, Type.URL, "https://login.microsoftonline.com",
                        "Microsoft Entra ID token endpoint's host"))
                .define(ConfigField.optional(POLL_INTERVAL, Type.DURATION, "1m", "Time between two polls"))
                .define(ConfigField.optional(POLL_LOOKBACK, Type.DURATION, "1h",
                        "How far back the first poll looks for updated incidents"))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to Entra ID and Graph"))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a Graph or token call after a 5xx answer (other than 503) or a network error"));
    }

    /** @throws ConfigException naming each field whose value, alone or with others, cannot be used */
    static SentinelConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        Auth auth = null;
        String authValue = config.string(AUTH);
        try {
            auth = Auth.valueOf(authValue.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(AUTH, "'" + authValue + "' is not bearer, hmac or off"));
        }
        boolean poll = config.bool(POLL);
        Optional<Secret> bearerToken = config.optionalSecret(BEARER_TOKEN);
        Optional<Secret> hmacSecret = config.optionalSecret(HMAC_SECRET);
        if (auth == Auth.BEARER && bearerToken.isEmpty()) {
            errors.add(new ConfigError(BEARER_TOKEN, "is required when auth is bearer"));
        }
        if (auth == Auth.HMAC && hmacSecret.isEmpty()) {
            errors.add(new ConfigError(HMAC_SECRET, "is required when auth is hmac"));
        }
        if (auth == Auth.OFF && !poll) {
            errors.add(new ConfigError(AUTH, "is off and poll is false, so the instance would receive nothing; "
                    + "choose bearer or hmac, or set poll: true"));
        }
        int maxBodyBytes = config.integer(MAX_BODY_BYTES);
        if (maxBodyBytes <= 0) {
            errors.add(new ConfigError(MAX_BODY_BYTES, "must be a positive number of bytes"));
        }
        Optional<Graph> graph = poll ? graph(config, errors) : Optional.empty();
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        return new SentinelConfig(auth, bearerToken, hmacSecret, config.bool(ACT_ON_SEVERITY_INCREASE), maxBodyBytes,
                graph);
    }

    private static Optional<Graph> graph(ConnectorConfig config, List<ConfigError> errors) {
        int before = errors.size();
        Optional<String> tenantId = config.optionalString(TENANT_ID);
        Optional<String> clientId = config.optionalString(CLIENT_ID);
        Optional<Secret> clientSecret = config.optionalSecret(CLIENT_SECRET);
        if (tenantId.isEmpty()) {
            errors.add(new ConfigError(TENANT_ID, "is required when poll is true"));
        } else if (!TENANT.matcher(tenantId.get()).matches()) {
            errors.add(new ConfigError(TENANT_ID, "'" + tenantId.get() + "' is neither a tenant GUID nor a domain name"));
        }
        if (clientId.isEmpty()) {
            errors.add(new ConfigError(CLIENT_ID, "is required when poll is true"));
        }
        if (clientSecret.isEmpty()) {
            errors.add(new ConfigError(CLIENT_SECRET, "is required when poll is true"));
        }
        URI graphBaseUrl = baseUrl(config, GRAPH_BASE_URL, errors);
        URI loginBaseUrl = baseUrl(config, LOGIN_BASE_URL, errors);
        Duration interval = config.duration(POLL_INTERVAL);
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            errors.add(new ConfigError(POLL_INTERVAL, "must be at least 1s"));
        }
        Duration lookback = config.duration(POLL_LOOKBACK);
        if (lookback.isNegative()) {
            errors.add(new ConfigError(POLL_LOOKBACK, "must not be negative"));
        }
        Duration timeout = config.duration(TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            errors.add(new ConfigError(TIMEOUT, "must be positive"));
        }
        int maxRetries = config.integer(MAX_RETRIES);
        if (maxRetries < 0) {
            errors.add(new ConfigError(MAX_RETRIES, "must be 0 or more"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Graph(tenantId.get(), clientId.get(), clientSecret.get(), graphBaseUrl, loginBaseUrl,
                interval, lookback, timeout, maxRetries));
    }

    private static URI baseUrl(ConnectorConfig config, String field, List<ConfigError> errors) {
        URI url = config.url(field);
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            errors.add(new ConfigError(field, "must not have a query or fragment"));
        }
        return URI.create(url.toString().replaceAll("/+$", ""));
    }
}
