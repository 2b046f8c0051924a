package io.irhub.connector.splunk;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConfigField.Type;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Secret;
import io.irhub.connector.api.Severity;

import java.util.ArrayList;
import java.util.List;

/**
 * One Splunk source instance's configuration.
 *
 * @param token           the secret path segment Splunk's webhook URL carries
 * @param identityFields  result fields whose values name the identities involved
 * @param identityKind    what those identities are
 * @param severityFields  result fields tried in order for the severity
 * @param defaultSeverity the severity when none of those fields has a value
 * @param timeField       the result field holding when the event happened
 * @param maxBodyBytes    the largest delivery accepted
 */
record SplunkConfig(Secret token, List<String> identityFields, IdentityKind identityKind,
                    List<String> severityFields, Severity defaultSeverity, String timeField, int maxBodyBytes) {

    static final String TOKEN = "token";
    static final String IDENTITY_FIELDS = "identity-fields";
    static final String IDENTITY_KIND = "identity-kind";
    static final String SEVERITY_FIELDS = "severity-fields";
    static final String DEFAULT_SEVERITY = "default-severity";
    static final String TIME_FIELD = "time-field";
    static final String MAX_BODY_BYTES = "max-body-bytes";

    SplunkConfig {
        identityFields = List.copyOf(identityFields);
        severityFields = List.copyOf(severityFields);
    }

    static ConfigDef definition() {
        return new ConfigDef()
                .define(ConfigField.requiredSecret(TOKEN,
                        "Secret path segment of the webhook URL given to Splunk (/hooks/{instance}/{token})"))
                .define(ConfigField.optional(IDENTITY_FIELDS, Type.LIST, "user,src_user,email",
                        "Result fields whose non-blank values name the identities involved; field:kind gives a field its own kind (token_accessor:api-token)"))
                .define(ConfigField.optional(IDENTITY_KIND, Type.STRING, "user",
                        "Kind of those identities: user, service-account, api-token or secret"))
                .define(ConfigField.optional(SEVERITY_FIELDS, Type.LIST, "severity,urgency",
                        "Result fields tried in order for the severity (a name or Splunk's urgency 1..5)"))
                .define(ConfigField.optional(DEFAULT_SEVERITY, Type.STRING, "medium",
                        "Severity when none of the severity fields has a value"))
                .define(ConfigField.optional(TIME_FIELD, Type.STRING, "_time",
                        "Result field with the event time (epoch seconds or ISO-8601); the time of receipt when absent"))
                .define(ConfigField.optional(MAX_BODY_BYTES, Type.INT, "1048576",
                        "Largest delivery accepted, in bytes"));
    }

    /** @throws ConfigException listing every field whose value parses but cannot be used */
    static SplunkConfig from(ConnectorConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        List<String> identityFields = config.list(IDENTITY_FIELDS).stream().filter(f -> !f.isBlank()).toList();
        if (identityFields.isEmpty()) {
            errors.add(new ConfigError(IDENTITY_FIELDS, "names no field, so no alert could name an identity"));
        }
        for (String entry : identityFields) {
            int colon = entry.indexOf(':');
            if (colon >= 0) {
                try {
                    IdentityKind.fromWire(entry.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    errors.add(new ConfigError(IDENTITY_FIELDS, entry + ": " + e.getMessage()));
                }
            }
        }
        IdentityKind kind = null;
        try {
            kind = IdentityKind.fromWire(config.string(IDENTITY_KIND));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(IDENTITY_KIND, e.getMessage()));
        }
        Severity defaultSeverity = null;
        try {
            defaultSeverity = Severity.parse(config.string(DEFAULT_SEVERITY));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(DEFAULT_SEVERITY, e.getMessage()));
        }
        int maxBodyBytes = config.integer(MAX_BODY_BYTES);
        if (maxBodyBytes <= 0) {
            errors.add(new ConfigError(MAX_BODY_BYTES, "must be a positive number of bytes"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(config.scope(), errors);
        }
        List<String> severityFields = config.list(SEVERITY_FIELDS).stream().filter(f -> !f.isBlank()).toList();
        return new SplunkConfig(config.secret(TOKEN), identityFields, kind, severityFields, defaultSeverity,
                config.string(TIME_FIELD), maxBodyBytes);
    }
}
