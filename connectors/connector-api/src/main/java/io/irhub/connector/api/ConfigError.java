package io.irhub.connector.api;

/** One problem with one configuration field. Never carries a secret value. */
public record ConfigError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
