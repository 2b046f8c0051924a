package io.irhub.connector.scim;

/**
 * The filters the connector sends (RFC 7644 §3.4.2.2). A compared value is a JSON string literal (RFC 7159 §7): it is
 * quoted, and a quotation mark, a backslash and the control characters inside it are escaped, so that a name cannot
 * end the literal and add a clause of its own.
 */
final class ScimFilter {
    private ScimFilter() {
    }

    /** {@code <attribute> eq "<value>"}; the attribute is a configured, validated attribute path. */
    static String eq(String attribute, String value) {
        return attribute + " eq " + quote(value);
    }

    /** A work email address, as the RFC's own valuePath examples write it. */
    static String workEmail(String address) {
        return "emails[type eq \"work\" and value eq " + quote(address) + "]";
    }

    /** Any of the user's email addresses. */
    static String anyEmail(String address) {
        return "emails.value eq " + quote(address);
    }

    static String quote(String value) {
        StringBuilder s = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
