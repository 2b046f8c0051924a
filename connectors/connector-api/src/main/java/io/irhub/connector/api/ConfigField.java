package io.irhub.connector.api;

import java.util.Objects;

/**
 * One configuration field a connector declares: the data from which configuration is validated, documented
 * ({@code irhub connectors list}) and redacted.
 *
 * @param name         kebab-case key ({@code org-url})
 * @param type         how the value is read
 * @param required     whether the instance fails to start without it
 * @param defaultValue used when not set (as text, read like a configured value), or {@code null}
 * @param description  one sentence for the operator
 * @param secret       a credential: given only as {@code ${env:NAME}} or {@code ${file:/path}}, never printed
 */
public record ConfigField(String name, Type type, boolean required, String defaultValue, String description,
                          boolean secret) {

    public enum Type { STRING, INT, BOOLEAN, URL, DURATION, LIST }

    public ConfigField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        if (required && defaultValue != null) {
            throw new IllegalArgumentException(name + ": a required field has no default");
        }
    }

    public static ConfigField required(String name, Type type, String description) {
        return new ConfigField(name, type, true, null, description, false);
    }

    public static ConfigField optional(String name, Type type, String defaultValue, String description) {
        return new ConfigField(name, type, false, defaultValue, description, false);
    }

    public static ConfigField requiredSecret(String name, String description) {
        return new ConfigField(name, Type.STRING, true, null, description, true);
    }

    public static ConfigField optionalSecret(String name, String description) {
        return new ConfigField(name, Type.STRING, false, null, description, true);
    }
}
