package io.irhub.connector.okta;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Okta's error answer, {@code {errorCode, errorSummary, errorLink, errorId, errorCauses[{errorSummary}]}}. Any field
 * may be missing: gateways in front of Okta answer with other bodies.
 *
 * @param code    {@code E0000006}, or {@code null}
 * @param summary one sentence, or {@code null}
 * @param errorId Okta's id of this occurrence, for its support, or {@code null}
 * @param causes  the causes' summaries (validation failures)
 */
record OktaError(String code, String summary, String errorId, List<String> causes) {

    static OktaError from(JsonNode body) {
        List<String> causes = new ArrayList<>();
        body.path("errorCauses").forEach(c -> {
            String cause = text(c, "errorSummary");
            if (cause != null) {
                causes.add(cause);
            }
        });
        return new OktaError(text(body, "errorCode"), text(body, "errorSummary"), text(body, "errorId"),
                List.copyOf(causes));
    }

    /** {@code HTTP 403 E0000006: You do not have permission … (cause; cause)}. */
    String describe(int httpStatus) {
        StringBuilder s = new StringBuilder("HTTP ").append(httpStatus);
        if (code != null) {
            s.append(' ').append(code);
        }
        if (summary != null) {
            s.append(": ").append(summary);
        }
        if (!causes.isEmpty()) {
            s.append(" (").append(String.join("; ", causes)).append(')');
        }
        return s.toString();
    }

    /** For the audit record; {@code null} values are dropped by {@code ActionOutcome}. */
    Map<String, Object> details(int httpStatus) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("http_status", httpStatus);
        details.put("okta_error_code", code);
        details.put("okta_error_summary", summary);
        details.put("okta_error_id", errorId);
        return details;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        // a JSON null is a value node too, whose text is "null"
        return value.isValueNode() && !value.isNull() && !value.asText().isBlank() ? value.asText() : null;
    }
}
