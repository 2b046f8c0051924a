package io.irhub.kamelets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalRequest.ProposedAction;
import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.MessageRef;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON the Kamelets read and write. Field names are snake_case, as in the hub's signal format
 * ({@code irhub-signal.schema.json}) and its audit rows; enum values are the model's wire names.
 */
final class Wire {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // parser messages would otherwise quote the input, which may carry credentials
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Wire() {
    }

    /** @throws IllegalArgumentException saying where the text stops being JSON, never quoting it */
    static JsonNode read(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the body is empty");
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getLocation() == null ? "the body is not valid JSON"
                    : "the body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        }
    }

    /** A map (a JSONPath result, say) as a tree; its values must be plain. */
    static JsonNode tree(Map<?, ?> map) {
        return JSON.valueToTree(map);
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    /** A signal in the format of {@code irhub-signal.schema.json}, so a generic source instance reads it back. */
    static ObjectNode signal(Signal signal) {
        ObjectNode node = NODES.objectNode();
        node.put("id", signal.dedupeKey());
        node.put("detection", signal.detection());
        node.put("severity", signal.severity().wireName());
        node.put("detected_at", signal.detectedAt().toString());
        if (signal.link() != null) {
            node.put("link", signal.link());
        }
        ArrayNode identities = node.putArray("identities");
        signal.identities().forEach(i -> identities.add(identity(i)));
        return node;
    }

    static ObjectNode identity(Identity identity) {
        ObjectNode node = NODES.objectNode();
        node.put("kind", identity.kind().wireName());
        if (identity.login() != null) {
            node.put("login", identity.login());
        }
        if (identity.email() != null) {
            node.put("email", identity.email());
        }
        if (identity.externalId() != null) {
            node.put("external_id", identity.externalId());
        }
        return node;
    }

    /**
     * @param defaultKind used when the object names no {@code kind}
     * @throws IllegalArgumentException naming the field that is wrong
     */
    static Identity identity(JsonNode node, IdentityKind defaultKind) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("an identity is a JSON object {kind, login, email, external_id}");
        }
        known(node, "identity", "kind", "login", "email", "external_id");
        String kind = text(node, "kind", false);
        return new Identity(kind == null ? defaultKind : IdentityKind.fromWire(kind), text(node, "login", false),
                text(node, "email", false), text(node, "external_id", false));
    }

    static ObjectNode outcome(ActionRequest request, ActionOutcome outcome) {
        ObjectNode node = NODES.objectNode();
        node.put("status", status(outcome.status()));
        node.put("verb", request.verb().wireName());
        node.put("target", request.targetInstance());
        node.set("identity", identity(request.identity()));
        if (outcome.targetRef() != null) {
            node.put("target_ref", outcome.targetRef());
        }
        if (outcome.message() != null) {
            node.put("message", outcome.message());
        }
        node.set("details", plain(outcome.details()));
        node.put("action_id", request.actionId().toString());
        node.put("correlation_id", request.correlationId().toString());
        return node;
    }

    /** {@code already_done}, as the hub's audit rows write outcomes. */
    static String status(ActionOutcome.Status status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /**
     * An approval request: {@code plan_id}, {@code correlation_id}, {@code source_instance}, {@code detection},
     * {@code severity}, {@code link}, {@code policy}, {@code actions[] {verb, target, identity}}, {@code reasons[]},
     * {@code deadline} (ISO-8601) and {@code approvals_needed}.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    static ApprovalRequest approvalRequest(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("an approval request is a JSON object");
        }
        known(node, "approval request", "plan_id", "correlation_id", "source_instance", "detection", "severity",
                "link", "policy", "actions", "reasons", "deadline", "approvals_needed");
        JsonNode actions = node.get("actions");
        if (actions == null || !actions.isArray() || actions.isEmpty()) {
            throw new IllegalArgumentException("actions must be a non-empty array of {verb, target, identity}");
        }
        List<ProposedAction> proposed = new ArrayList<>();
        for (JsonNode action : actions) {
            if (!action.isObject()) {
                throw new IllegalArgumentException("actions[] holds {verb, target, identity} objects");
            }
            known(action, "action", "verb", "target", "identity");
            proposed.add(new ProposedAction(Verb.fromWire(text(action, "verb", true)), text(action, "target", true),
                    identity(action.get("identity"), IdentityKind.USER)));
        }
        List<String> reasons = new ArrayList<>();
        JsonNode reasonNodes = node.get("reasons");
        if (reasonNodes != null && !reasonNodes.isNull()) {
            if (!reasonNodes.isArray()) {
                throw new IllegalArgumentException("reasons must be an array of strings");
            }
            reasonNodes.forEach(r -> reasons.add(r.asText()));
        }
        JsonNode needed = node.get("approvals_needed");
        if (needed != null && !needed.canConvertToInt()) {
            throw new IllegalArgumentException("approvals_needed must be a whole number");
        }
        return new ApprovalRequest(uuid(node, "plan_id", true), uuid(node, "correlation_id", true),
                text(node, "source_instance", true), text(node, "detection", false),
                Severity.parse(text(node, "severity", true)), text(node, "link", false), text(node, "policy", true),
                proposed, reasons, instant(node, "deadline", true), needed == null ? 1 : needed.intValue());
    }

    static ObjectNode messageRef(MessageRef ref) {
        ObjectNode node = NODES.objectNode();
        node.put("channel", ref.channel());
        node.put("id", ref.id());
        return node;
    }

    /**
     * An audit row as the store keeps it: {@code at} (ISO-8601; now when absent), {@code correlation_id},
     * {@code stage} (wire name, {@code action-outcome}), {@code actor}, {@code connector_instance}, {@code identity},
     * {@code outcome} and {@code details} (an object).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    static AuditEvent auditEvent(JsonNode node, Instant now) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("an audit event is a JSON object");
        }
        known(node, "audit event", "at", "correlation_id", "stage", "actor", "connector_instance", "identity",
                "outcome", "details");
        String stage = text(node, "stage", true);
        AuditEvent.Stage parsed = Arrays.stream(AuditEvent.Stage.values()).filter(s -> s.wireName().equals(stage))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("stage '" + stage + "' is none of "
                        + Arrays.stream(AuditEvent.Stage.values()).map(AuditEvent.Stage::wireName).toList()));
        JsonNode details = node.get("details");
        if (details != null && !details.isNull() && !details.isObject()) {
            throw new IllegalArgumentException("details must be a JSON object");
        }
        Instant at = instant(node, "at", false);
        @SuppressWarnings("unchecked")
        Map<String, Object> detailMap = details == null || details.isNull() ? Map.of()
                : JSON.convertValue(details, Map.class);
        return new AuditEvent(at == null ? now : at, uuid(node, "correlation_id", false), parsed,
                text(node, "actor", true), text(node, "connector_instance", false), text(node, "identity", false),
                text(node, "outcome", true), detailMap);
    }

    /** Details hold plain values; anything else (an {@code Instant}, a {@code URI}) is written as its text. */
    private static JsonNode plain(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Number n) {
            return JSON.valueToTree(n);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = NODES.objectNode();
            map.forEach((k, v) -> node.set(String.valueOf(k), plain(v)));
            return node;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode node = NODES.arrayNode();
            items.forEach(v -> node.add(plain(v)));
            return node;
        }
        return NODES.textNode(value.toString());
    }

    private static void known(JsonNode node, String what, String... fields) {
        List<String> allowed = List.of(fields);
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new IllegalArgumentException(field + " is not a field of an " + what + " (known: "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.textValue();
    }

    private static UUID uuid(JsonNode node, String field, boolean required) {
        String text = text(node, field, required);
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is not a UUID");
        }
    }

    private static Instant instant(JsonNode node, String field, boolean required) {
        String text = text(node, field, required);
        try {
            return text == null ? null : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 time with an offset");
        }
    }
}
