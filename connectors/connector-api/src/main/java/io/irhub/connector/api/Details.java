package io.irhub.connector.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies of detail maps: insertion order kept, {@code null} values dropped, unmodifiable. */
final class Details {
    private Details() {
    }

    static Map<String, Object> copyOf(Map<String, ?> details) {
        if (details == null || details.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        details.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return Collections.unmodifiableMap(copy);
    }
}
