package io.irhub.connector.api;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration a connector declares, as data. {@link #parse} validates a raw map against it and reports
 * every problem per field; secret fields are resolved through a {@link SecretResolver} and never echoed.
 */
public final class ConfigDef {
    private final Map<String, ConfigField> fields = new LinkedHashMap<>();

    public ConfigDef define(ConfigField field) {
        if (fields.putIfAbsent(field.name(), field) != null) {
            throw new IllegalArgumentException("field " + field.name() + " is defined twice");
        }
        return this;
    }

    public ConfigDef defineAll(Collection<ConfigField> more) {
        more.forEach(this::define);
        return this;
    }

    public List<ConfigField> fields() {
        return List.copyOf(fields.values());
    }

    public Optional<ConfigField> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /**
     * Validates and converts.
     *
     * @param scope    names the instance in errors ({@code targets.okta-main})
     * @param raw      values as configured (strings, numbers, booleans, lists)
     * @param secrets  resolves secret references
     * @throws ConfigException listing every unknown, missing or malformed field
     */
    public ConnectorConfig parse(String scope, Map<String, ?> raw, SecretResolver secrets) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, ?> given = raw == null ? Map.of() : raw;
        for (String key : given.keySet()) {
            if (!fields.containsKey(key)) {
                errors.add(new ConfigError(key, "unknown field (known: " + String.join(", ", fields.keySet()) + ")"));
            }
        }
        for (ConfigField field : fields.values()) {
            Object value = given.get(field.name());
            if (value == null || (value instanceof String s && s.isBlank())) {
                if (field.required()) {
                    errors.add(new ConfigError(field.name(), "is required (" + field.description() + ")"));
                    continue;
                }
                if (field.defaultValue() == null) {
                    continue;
                }
                value = field.defaultValue();
            }
            try {
                values.put(field.name(), convert(field, value, secrets));
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(field.name(), e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(scope, errors);
        }
        return new ConnectorConfig(scope, values);
    }

    private static Object convert(ConfigField field, Object value, SecretResolver secrets) {
        if (field.secret()) {
            if (!(value instanceof String reference)) {
                throw new IllegalArgumentException("must be a ${env:NAME} or ${file:/path} reference");
            }
            return secrets.resolve(reference);
        }
        String text = value instanceof List<?> || value instanceof Map<?, ?> ? null : String.valueOf(value).trim();
        switch (field.type()) {
            case STRING:
                requireText(text);
                return text;
            case INT:
                requireText(text);
                try {
                    return Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a whole number");
                }
            case BOOLEAN:
                requireText(text);
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
                };
            case URL:
                requireText(text);
                try {
                    URI uri = new URI(text);
                    if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                            || uri.getHost() == null) {
                        throw new IllegalArgumentException("'" + text + "' is not an http(s) URL");
                    }
                    return uri;
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a URL");
                }
            case DURATION:
                requireText(text);
                return parseDuration(text);
            case LIST:
                if (value instanceof List<?> list) {
                    return list.stream().map(String::valueOf).map(String::trim).toList();
                }
                requireText(text);
                return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            default:
                throw new IllegalStateException(field.type().name());
        }
    }

    private static void requireText(String text) {
        if (text == null) {
            throw new IllegalArgumentException("must be a single value");
        }
    }

    /** Reads ISO-8601 ({@code PT30S}) or a short form ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}). */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (DateTimeParseException | IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 30s, 5m, PT1H)");
        }
    }
}
