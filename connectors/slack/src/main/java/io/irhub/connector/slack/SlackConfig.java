package io.irhub.connector.slack;

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
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Slack approval channel's configuration, read from a validated {@link ConnectorConfig}.
 *
 * @param apiBaseUrl    Slack's Web API base without a trailing slash ({@code https://slack.com/api})
 * @param botToken      the app's bot token ({@code xoxb-…}), scope {@code chat:write}
 * @param signingSecret the app's signing secret, which authenticates interaction callbacks
 * @param channel       the channel id ({@code C…}) approval requests are posted to
 * @param timeout       per HTTP call
 * @param maxRetries    retries after the first attempt, for 429, 5xx and network errors
 * @param maxClockSkew  how far an interaction's timestamp may be from the hub's clock, either way
 */
record SlackConfig(URI apiBaseUrl, Secret botToken, Secret signingSecret, String channel, Duration timeout,
                   int maxRetries, Duration maxClockSkew) {

    static final String BOT_TOKEN = "bot-token";
    static final String SIGNING_SECRET = "signing-secret";
    static final String CHANNEL = "channel";
    static final String API_BASE_URL = "api-base-url";
    static final String TIMEOUT = "timeout";
    static final String MAX_RETRIES = "max-retries";
    static final String MAX_CLOCK_SKEW = "max-clock-skew";

    // public and private channel ids (C…), and the private channels of older workspaces (G…)
    private static final Pattern CHANNEL_ID = Pattern.compile("[CG][A-Z0-9]{2,}");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    static ConfigDef definition() {
        return new ConfigDef()
                .define(ConfigField.requiredSecret(BOT_TOKEN,
                        "The Slack app's bot token (xoxb-…), with the single scope chat:write."))
                .define(ConfigField.requiredSecret(SIGNING_SECRET,
                        "The Slack app's signing secret (Basic Information), which proves that a button click "
                                + "came from Slack."))
                .define(ConfigField.required(CHANNEL, Type.STRING,
                        "The id of the channel approval requests are posted to (C…, from the channel's details), "
                                + "not its name; the bot must be invited to it."))
                .define(ConfigField.optional(API_BASE_URL, Type.URL, "https://slack.com/api",
                        "Slack's Web API base URL; only tests change it (plain http only to a loopback address)."))
                .define(ConfigField.optional(TIMEOUT, Type.DURATION, "10s", "Timeout of each HTTP call to Slack."))
                .define(ConfigField.optional(MAX_RETRIES, Type.INT, "3",
                        "Retries of a call after a rate limit, a 5xx answer or a network error."))
                .define(ConfigField.optional(MAX_CLOCK_SKEW, Type.DURATION, "5m",
                        "How far an interaction's X-Slack-Request-Timestamp may be from the hub's clock; older "
                                + "or newer callbacks are refused as replays."));
    }

    /**
     * @throws ConfigException naming each field whose value cannot be used (never quoting a secret)
     */
    static SlackConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        Secret botToken = config.secret(BOT_TOKEN);
        if (!botToken.reveal().startsWith("xoxb-")) {
            // a user token (xoxp-) acts with its user's own permissions, far beyond chat:write
            errors.add(new ConfigError(BOT_TOKEN, "(" + botToken.source() + ") is not a bot token: it must start "
                    + "with xoxb- (OAuth & Permissions, Bot User OAuth Token)"));
        }
        String channel = config.string(CHANNEL);
        if (!CHANNEL_ID.matcher(channel).matches()) {
            errors.add(new ConfigError(CHANNEL, "'" + channel + "' is not a channel id: give the id (C…) shown at the "
                    + "bottom of the channel's details, not its name"));
        }
        URI api = config.url(API_BASE_URL);
        if (api.getScheme().equalsIgnoreCase("http") && !LOOPBACK.contains(api.getHost().toLowerCase(Locale.ROOT))) {
            // the bot token travels in every call's Authorization header
            errors.add(new ConfigError(API_BASE_URL, "must be https (plain http only to a loopback address, for tests)"));
        }
        if (api.getRawQuery() != null || api.getRawFragment() != null || api.getRawUserInfo() != null) {
            errors.add(new ConfigError(API_BASE_URL, "must be a base URL without user info, query or fragment"));
        }
        Duration timeout = config.duration(TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            errors.add(new ConfigError(TIMEOUT, "must be positive"));
        }
        int maxRetries = config.integer(MAX_RETRIES);
        if (maxRetries < 0) {
            errors.add(new ConfigError(MAX_RETRIES, "must be 0 or more"));
        }
        Duration maxClockSkew = config.duration(MAX_CLOCK_SKEW);
        if (maxClockSkew.isZero() || maxClockSkew.isNegative()) {
            errors.add(new ConfigError(MAX_CLOCK_SKEW, "must be positive"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        URI base = URI.create(api.toString().replaceAll("/+$", ""));
        return new SlackConfig(base, botToken, config.secret(SIGNING_SECRET), channel, timeout, maxRetries,
                maxClockSkew);
    }
}
