package io.irhub.kamelets;

import java.util.Locale;

/**
 * The one naming rule between a Kamelet property and the connector field it configures: the connector's kebab-case
 * field ({@code max-rate-limit-wait}) is the Kamelet's camelCase property ({@code maxRateLimitWait}), as Kamelet
 * catalogs name their properties. Connector fields are lower-case words joined by dashes, so the rule is reversible.
 */
public final class PropertyNames {
    private PropertyNames() {
    }

    /** {@code max-rate-limit-wait} → {@code maxRateLimitWait}. */
    public static String camel(String kebab) {
        StringBuilder out = new StringBuilder(kebab.length());
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** {@code maxRateLimitWait} → {@code max-rate-limit-wait}. */
    public static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
