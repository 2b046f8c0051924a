package io.irhub.connector.vault;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Vault's error answer, {@code {"errors": ["…"]}}. Vault wraps several causes as one Go multierror string
 * ({@code "1 error occurred:\n\t* permission denied\n\n"}); each is kept as its own sentence. The list may be empty
 * (Vault's 404s) or missing (a proxy's error page).
 *
 * @param errors Vault's messages, one per cause
 */
record VaultError(List<String> errors) {

    private static final Pattern MULTIERROR_HEADER = Pattern.compile("^\\d+ errors? occurred:\\s*");

    static VaultError from(JsonNode body) {
        List<String> errors = new ArrayList<>();
        body.path("errors").forEach(e -> {
            if (e.isTextual()) {
                String text = MULTIERROR_HEADER.matcher(e.asText().trim()).replaceFirst("");
                for (String line : text.split("\n")) {
                    String cause = line.trim().replaceFirst("^\\*\\s*", "");
                    if (!cause.isEmpty()) {
                        errors.add(cause);
                    }
                }
            }
        });
        return new VaultError(List.copyOf(errors));
    }

    /** {@code HTTP 403: permission denied}. */
    String describe(int httpStatus) {
        return "HTTP " + httpStatus + (errors.isEmpty() ? "" : ": " + String.join("; ", errors));
    }

    /** Whether one of Vault's messages contains {@code text}, ignoring case. */
    boolean mentions(String text) {
        String wanted = text.toLowerCase(Locale.ROOT);
        return errors.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).contains(wanted));
    }

    /** For the audit record. */
    Map<String, Object> details(int httpStatus) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("http_status", httpStatus);
        if (!errors.isEmpty()) {
            details.put("vault_errors", errors);
        }
        return details;
    }
}
