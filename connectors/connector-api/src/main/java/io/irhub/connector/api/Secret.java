package io.irhub.connector.api;

import java.util.Objects;

/**
 * A credential value. It prints as {@code [secret]} everywhere (logs, exceptions, {@code toString} of a config)
 * and is read only through {@link #reveal()}, at the point where it is sent to the vendor.
 */
public final class Secret {
    private final String value;
    private final String source;

    private Secret(String value, String source) {
        this.value = Objects.requireNonNull(value, "value");
        this.source = source;
    }

    /** @param source where it came from, e.g. {@code env:OKTA_KEY} or {@code file:/run/secrets/okta}; shown in errors */
    public static Secret of(String value, String source) {
        return new Secret(value, source);
    }

    public String reveal() {
        return value;
    }

    /** Where the value came from ({@code env:NAME}, {@code file:/path}); safe to print. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
