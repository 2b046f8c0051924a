package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The parts of a SCIM User resource (RFC 7643 §4.1) the connector acts on.
 *
 * @param id       the service provider's id of the user
 * @param userName the user's userName, else the id
 * @param active   the user's administrative status, or {@code null} when the server does not report one
 */
record ScimUser(String id, String userName, Boolean active) {

    private static final String CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

    /** @throws ScimFailure when the resource has no id */
    static ScimUser from(JsonNode resource) throws ScimFailure {
        String id = ScimError.text(resource, "id");
        if (id == null) {
            throw ScimFailure.failed("the SCIM server answered a User without an id", Map.of());
        }
        String userName = ScimError.text(resource, "userName");
        JsonNode active = field(resource, "active");
        return new ScimUser(id, userName == null ? id : userName, active.isBoolean() ? active.booleanValue() : null);
    }

    /**
     * The string values an attribute path ({@code userName}, {@code name.familyName}, {@code emails.value}, a schema
     * URN and an attribute) has in a resource, multi-valued attributes flattened; empty when it is absent. Attribute
     * names are compared ignoring case, as RFC 7643 §2.1 says.
     */
    static List<String> values(JsonNode resource, String attributePath) {
        String path = attributePath;
        JsonNode node = resource;
        int colon = path.lastIndexOf(':');
        if (colon >= 0) {
            String schema = path.substring(0, colon);
            node = schema.equalsIgnoreCase(CORE_USER_SCHEMA) ? resource : field(resource, schema);
            path = path.substring(colon + 1);
        }
        List<JsonNode> current = List.of(node);
        for (String name : path.split("\\.")) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : current) {
                JsonNode child = field(n, name);
                if (child.isArray()) {
                    child.forEach(next::add);
                } else {
                    next.add(child);
                }
            }
            current = next;
        }
        return current.stream().filter(JsonNode::isValueNode).map(JsonNode::asText).toList();
    }

    private static JsonNode field(JsonNode node, String name) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String candidate = names.next();
            if (candidate.equalsIgnoreCase(name)) {
                return node.get(candidate);
            }
        }
        return node.path(name);
    }
}
