package io.irhub.connector.crowdstrike;

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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One CrowdStrike source instance's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param auth          how a webhook delivery proves itself
 * @param webhookSecret the bearer token, or the HMAC-SHA256 key, that deliveries are checked against
 * @param maxBodyBytes  the largest delivery accepted
 * @param poll          the Alerts API pull, when {@code poll} is true
 */
record CrowdStrikeConfig(Auth auth, Secret webhookSecret, int maxBodyBytes, Optional<Poll> poll) {

    static final String AUTH = "auth";
    static final String WEBHOOK_SECRET = "webhook-secret";
    static final String MAX_BODY_BYTES = "max-body-bytes";
    static final String POLL = "poll";
    static final String BASE_URL = "base-url";
    static final String CLIENT_ID = "client-id";
    static final String CLIENT_SECRET = "client-secret";
    static final String POLL_INTERVAL = "poll-interval";
    static final String POLL_LOOKBACK = "poll-lookback";
    static final String FILTER = "filter";
    static final String PAGE_SIZE = "page-size";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";

    /** The Alerts API's own bound on {@code limit} (GetQueriesAlertsV2: maximum 10000). */
    static final int MAX_PAGE_SIZE = 10_000;

    /** How a webhook delivery authenticates. */
    enum Auth {
        /** {@code Authorization: Bearer <webhook-secret>}: what a Fusion HTTP request action can send. */
        BEARER,
        /** {@code X-Irhub-Timestamp} and {@code X-Irhub-Signature}, an HMAC-SHA256 keyed with the webhook-secret. */
        HMAC;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Auth fromWire(String value) {
            return Arrays.stream(values()).filter(a -> a.wireName().equals(value.trim().toLowerCase(Locale.ROOT)))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("'" + value + "' is not one of "
                            + Arrays.stream(values()).map(Auth::wireName).collect(Collectors.joining(", "))));
        }
    }

    /**
     * The pull side: the Alerts API v2 with an API client's credentials.
     *
     * @param baseUrl      the API host of the client's cloud, without a trailing slash
     * @param clientId     shown in messages, so an operator can tell which API client was refused
     * @param clientSecret revealed only in the token request
     * @param interval     time between polls
     * @param lookback     how far back the first poll reaches
     * @param filter       FQL ANDed to the checkpoint filter, or {@code null}
     * @param pageSize     alert ids per query
     * @param timeout      per HTTP call
     * @param maxRetries   retries after a 5xx answer or a network error
     */
    record Poll(URI baseUrl, String clientId, Secret clientSecret, Duration interval, Duration lookback,
                String filter, int pageSize, Duration timeout, int maxRetries) {

        URI url(String pathAndQuery) {
            return URI.create(baseUrl + pathAndQuery);
        }
    }

    static ConfigDef definition() {
        return new ConfigDef()
                .define(ConfigField.optional(AUTH, Type.STRING, "bearer",
                        "How webhook deliveries authenticate: bearer (Authorization: Bearer <webhook-secret>) or hmac "
                                + "(X-Irhub-Signature over X-Irhub-Timestamp and the body)"))
                .define(ConfigField.requiredSecret(WEBHOOK_SECRET,
                        "The bearer token (auth bearer) or HMAC-SHA256 key (auth hmac) of POST /hooks/{instance}"))
                .define(ConfigField.optional(MAX_BODY_BYTES, Type.INT, "1048576",
                        "Largest webhook delivery accepted, in bytes"))
                .define(ConfigField.optional(POLL, Type.BOOLEAN, "false",
                        "Also pull alerts from the Alerts API v2 (needs client-id and client-secret)"))
                .define(ConfigField.optional(BASE_URL, Type.URL, "https://api.crowdstrike.com",
                        "API host of the Falcon cloud: https://api.crowdstrike.com (us-1), "
                                + "https://api.us-2.crowdstrike.com, https://api.eu-1.crowdstrike.com, "
                                + "https://api.laggar.gcw.crowdstrike.com (us-gov-1)"))
                .define(ConfigField.optional(CLIENT_ID, Type.STRING, null,
                        "Client id of the Falcon API client used to poll (scope Alerts: Read)"))
                .define(ConfigField.optionalSecret(CLIENT_SECRET, "Secret of that API client"))
                .define(ConfigField.optional(POLL_INTERVAL, Type.DURATION, "1m", "Time between polls"))
                .define(ConfigField.optional(POLL_LOOKBACK, Type.DURATION, "1h",
                        "How far back the first poll reaches, before a checkpoint exists"))
                .define(ConfigField.optional(FILTER, Type.STRING, null,
                        "Falcon Query Language expression ANDed to the poll's filter (e.g. product:'idp')"))
                .define(ConfigField.optional(PAGE_SIZE, Type.INT, "100", "Alerts per poll request, 1 to 10000"))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to CrowdStrike"))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a 5xx answer or a network error"));
    }

    /** @throws ConfigException naming each field whose value, or combination of values, cannot be used */
    static CrowdStrikeConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        Auth auth = null;
        try {
            auth = Auth.fromWire(config.string(AUTH));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(AUTH, e.getMessage()));
        }
        int maxBodyBytes = config.integer(MAX_BODY_BYTES);
        if (maxBodyBytes <= 0) {
            errors.add(new ConfigError(MAX_BODY_BYTES, "must be a positive number of bytes"));
        }
        boolean poll = config.bool(POLL);
        if (poll) {
            if (!config.has(CLIENT_ID)) {
                errors.add(new ConfigError(CLIENT_ID, "is required when poll is true"));
            }
            if (!config.has(CLIENT_SECRET)) {
                errors.add(new ConfigError(CLIENT_SECRET, "is required when poll is true"));
            }
        } else {
            // a pull credential on a push-only instance usually means poll: true was forgotten
            for (String pullOnly : List.of(CLIENT_ID, CLIENT_SECRET, FILTER)) {
                if (config.has(pullOnly)) {
                    errors.add(new ConfigError(pullOnly, "is set but poll is false (set poll: true to pull alerts)"));
                }
            }
        }
        URI baseUrl = config.url(BASE_URL);
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null || baseUrl.getRawUserInfo() != null) {
            errors.add(new ConfigError(BASE_URL, "must be a bare API host, without user info, query or fragment"));
        } else if (baseUrl.getRawPath() != null && !baseUrl.getRawPath().replaceAll("/+$", "").isEmpty()) {
            errors.add(new ConfigError(BASE_URL, "must be the API host only (the API paths start at /oauth2 and /alerts)"));
        }
        Duration interval = positive(config, POLL_INTERVAL, errors);
        Duration lookback = positive(config, POLL_LOOKBACK, errors);
        Duration timeout = positive(config, TIMEOUT, errors);
        int pageSize = config.integer(PAGE_SIZE);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            errors.add(new ConfigError(PAGE_SIZE, pageSize + " is outside 1.." + MAX_PAGE_SIZE
                    + " (the Alerts API's limit)"));
        }
        int maxRetries = config.integer(MAX_RETRIES);
        if (maxRetries < 0) {
            errors.add(new ConfigError(MAX_RETRIES, "must be 0 or more"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        Optional<Poll> pull = poll
                ? Optional.of(new Poll(URI.create(baseUrl.toString().replaceAll("/+$", "")), config.string(CLIENT_ID),
                config.secret(CLIENT_SECRET), interval, lookback, config.optionalString(FILTER).orElse(null), pageSize,
                timeout, maxRetries))
                : Optional.empty();
        return new CrowdStrikeConfig(auth, config.secret(WEBHOOK_SECRET), maxBodyBytes, pull);
    }

    private static Duration positive(ConnectorConfig config, String field, List<ConfigError> errors) {
        Duration value = config.duration(field);
        if (value.isZero() || value.isNegative()) {
            errors.add(new ConfigError(field, "must be positive"));
        }
        return value;
    }
}
