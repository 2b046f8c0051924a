package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SCIM error answer (RFC 7644 §3.12): {@code {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],
 * "status":"400","scimType":"invalidFilter","detail":"…"}}. Every part may be missing (a proxy's HTML page).
 *
 * @param scimType the error keyword ({@code invalidFilter}, {@code mutability}, …), or {@code null}
 * @param detail   the server's human-readable description, or {@code null}
 */
record ScimError(String scimType, String detail) {

    static ScimError from(JsonNode body) {
        return new ScimError(text(body, "scimType"), text(body, "detail"));
    }

    /** {@code HTTP 400 invalidFilter: Unexpected token …}. */
    String describe(int httpStatus) {
        StringBuilder s = new StringBuilder("HTTP ").append(httpStatus);
        if (scimType != null) {
            s.append(' ').append(scimType);
        }
        if (detail != null) {
            s.append(": ").append(detail);
        }
        return s.toString();
    }

    /** For the audit record; {@code null} values are dropped by {@code ActionOutcome}. */
    Map<String, Object> details(int httpStatus) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("http_status", httpStatus);
        details.put("scim_type", scimType);
        details.put("scim_detail", detail);
        return details;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isBlank() ? value.asText() : null;
    }
}
