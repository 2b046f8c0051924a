package io.irhub.connector.api;

import java.util.Arrays;
import java.util.Locale;

/** What a target is asked to do to an identity. Wire names are kebab-case ({@code clear-sessions}). */
public enum Verb {
    LOOKUP(true),
    SUSPEND(true),
    RESTORE(true),
    CLEAR_SESSIONS(true),
    /** Deprovision the identity (Okta deactivate). */
    DEACTIVATE(false),
    REVOKE(false),
    ROTATE(false);

    private final boolean reversible;

    Verb(boolean reversible) {
        this.reversible = reversible;
    }

    /** Irreversible verbs (deactivate, revoke, rotate) need approval unless a policy explicitly allows them. */
    public boolean reversible() {
        return reversible;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Verb fromWire(String value) {
        String normalized = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(v -> v.name().equals(normalized)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown verb '" + value
                        + "' (expected one of lookup, suspend, restore, clear-sessions, deactivate, revoke, rotate)"));
    }
}
