package io.irhub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.routes.policy.PlanDraft;
import io.irhub.routes.store.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "What would the policies do with this signal?" — the signal in the hub's own JSON plus the source it would come
 * from; the answer is the plan, built by the real planner, stored nowhere.
 */
public final class PolicyTestRequest {
    private PolicyTestRequest() {
    }

    /**
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static Signal signal(String json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the body must be a signal object");
        }
        String source = required(n, "source");
        List<Identity> identities = new ArrayList<>();
        JsonNode ids = n.get("identities");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw new IllegalArgumentException("identities must be a non-empty array");
        }
        for (JsonNode i : ids) {
            identities.add(new Identity(IdentityKind.fromWire(i.path("kind").asText("user")), text(i, "login"),
                    text(i, "email"), text(i, "external_id")));
        }
        return new Signal(source, n.path("source_type").asText(source), "policy-test", required(n, "detection"),
                Severity.parse(required(n, "severity")), Instant.now(), identities, text(n, "link"), json);
    }

    /** The plan as the API shows it. */
    public static Map<String, Object> describe(PlanDraft d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("matched", d.matched());
        m.put("policy", d.policy());
        m.put("mode", d.mode() == null ? null : d.mode().wireName());
        m.put("state", d.planState());
        m.put("reasons", d.reasons());
        m.put("approvals_needed", d.matched() && d.approval() != null ? d.approvalsNeeded() : null);
        List<Map<String, Object>> actions = new ArrayList<>();
        for (PlanDraft.DraftAction a : d.actions()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("verb", a.verb().wireName());
            am.put("target", a.target());
            am.put("identity", a.identity().key());
            am.put("state", a.state().wire);
            am.put("irreversible", !a.verb().reversible());
            am.put("expires_at", a.expiresAt() == null ? null : a.expiresAt().toString());
            am.put("protected_by", a.blockedBy());
            actions.add(am);
        }
        m.put("actions", actions);
        return m;
    }

    private static String required(JsonNode n, String field) {
        String v = text(n, field);
        if (v == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
