package io.irhub.connector.api;

import java.util.Locale;

/** Normalized severity, ordered from least to most severe. */
public enum Severity {
    INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL;

    public boolean atLeast(Severity threshold) {
        return compareTo(threshold) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads the names vendors use ({@code info}, {@code informational}, {@code low}, {@code medium},
     * {@code high}, {@code critical}, any case) and Splunk's numeric urgency 1..5.
     *
     * @throws IllegalArgumentException naming the value when it is none of those
     */
    public static Severity parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("severity is missing");
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "info", "informational", "1" -> INFORMATIONAL;
            case "low", "2" -> LOW;
            case "medium", "moderate", "3" -> MEDIUM;
            case "high", "4" -> HIGH;
            case "critical", "5" -> CRITICAL;
            default -> throw new IllegalArgumentException("unknown severity '" + value
                    + "' (expected informational, low, medium, high, critical or 1..5)");
        };
    }
}
