package io.irhub.routes.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

/** How a policy's plan is carried out. */
public enum Mode {
    /** Dispatched at once. */
    AUTO,
    /** Waits in state {@code awaiting-approval} until someone approves. */
    APPROVAL,
    /** Everything but the target call. */
    DRY_RUN;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static Mode fromWire(String value) {
        String n = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(m -> m.name().equals(n)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown mode '" + value + "' (expected auto, approval or dry-run)"));
    }
}
