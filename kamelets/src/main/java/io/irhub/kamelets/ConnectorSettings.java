package io.irhub.kamelets;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.SecretResolver;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the values a Kamelet binds (camelCase property names) into a connector configuration validated by the
 * connector's own {@link ConfigDef}.
 *
 * <p>Kamelet properties carry secrets as plain values, while a connector accepts a secret only as a reference. Each
 * plain secret is therefore kept in an in-memory table and handed to the connector as a reference into it, so the
 * connector resolves, redacts and never prints it exactly as it does in the hub. A value that already is a
 * {@code ${env:NAME}} or {@code ${file:/path}} reference is passed on as written, so a key can stay in a mounted file.
 */
final class ConnectorSettings {
    // ':' never occurs in an environment variable's name, so these entries cannot shadow one
    private static final String MEMORY = "kamelet-property:";

    private ConnectorSettings() {
    }

    /**
     * @param scope names the Kamelet in errors
     * @param bound camelCase property name → value, as the Kamelet's template binds them
     * @throws ConfigException listing every problem under the Kamelet's property names, never quoting a secret
     */
    static ConnectorConfig parse(ConfigDef definition, String scope, Map<String, ?> bound) {
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> memory = new HashMap<>();
        bound.forEach((property, value) -> {
            String field = PropertyNames.kebab(property);
            Optional<ConfigField> declared = definition.field(field);
            if (declared.isPresent() && declared.get().secret() && value instanceof String text && !text.isBlank()
                    && !SecretResolver.isReference(text)) {
                memory.put(MEMORY + property, text);
                raw.put(field, "${env:" + MEMORY + property + "}");
            } else {
                raw.put(field, value);
            }
        });
        SecretResolver secrets = new SecretResolver(name -> name.startsWith(MEMORY) ? memory.get(name) : System.getenv(name));
        try {
            return definition.parse(scope, raw, secrets);
        } catch (ConfigException e) {
            throw new ConfigException(scope, e.errors().stream()
                    .map(error -> new ConfigError(propertyOf(error.field()), error.message()))
                    .toList());
        }
    }

    /** Errors name the Kamelet property the user set; a connector's own pseudo-field ({@code (config)}) stays. */
    private static String propertyOf(String field) {
        return field.matches("[a-z0-9]+(-[a-z0-9]+)*") ? PropertyNames.camel(field) : field;
    }
}
