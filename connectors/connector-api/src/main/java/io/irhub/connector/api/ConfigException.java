package io.irhub.connector.api;

import java.util.List;
import java.util.stream.Collectors;

/** Configuration that cannot be used, with every problem listed per field. */
public class ConfigException extends RuntimeException {
    private final String scope;
    private final List<ConfigError> errors;

    public ConfigException(String scope, List<ConfigError> errors) {
        super(scope + ": invalid configuration: "
                + errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
        this.scope = scope;
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String scope, String message) {
        this(scope, List.of(new ConfigError("(config)", message)));
    }

    /** The instance or section the errors are about ({@code targets.okta-main}). */
    public String scope() {
        return scope;
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
