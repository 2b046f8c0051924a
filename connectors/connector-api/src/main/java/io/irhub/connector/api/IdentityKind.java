package io.irhub.connector.api;

import java.util.Arrays;
import java.util.Locale;

/** What kind of identity a signal names. Wire names are kebab-case ({@code service-account}). */
public enum IdentityKind {
    USER, SERVICE_ACCOUNT, API_TOKEN, SECRET;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static IdentityKind fromWire(String value) {
        String normalized = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(k -> k.name().equals(normalized)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown identity kind '" + value
                        + "' (expected one of user, service-account, api-token, secret)"));
    }
}
