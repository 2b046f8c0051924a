package io.irhub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.routes.store.Json;
import io.irhub.routes.store.PipelineStore.DispatchOrder;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The records on the Kafka bus: an accepted signal (with its raw payload, as evidence) and a dispatch order. */
public final class BusJson {
    private BusJson() {
    }

    public static String signal(Signal s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source_instance", s.sourceInstance());
        m.put("source_type", s.sourceType());
        m.put("dedupe_key", s.dedupeKey());
        m.put("detection", s.detection());
        m.put("severity", s.severity().wireName());
        m.put("detected_at", s.detectedAt().toString());
        m.put("identities", s.identities().stream().map(Json::identity).toList());
        m.put("link", s.link());
        m.put("raw_payload", s.rawPayload());
        return Json.write(m);
    }

    /** @throws IllegalArgumentException when the record is not a signal */
    public static Signal signal(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            List<Identity> identities = new ArrayList<>();
            for (JsonNode i : n.get("identities")) {
                identities.add(Json.identity(Json.MAPPER.convertValue(i, Map.class)));
            }
            return new Signal(n.get("source_instance").asText(), n.get("source_type").asText(), n.get("dedupe_key").asText(),
                    n.get("detection").asText(), Severity.parse(n.get("severity").asText()),
                    Instant.parse(n.get("detected_at").asText()), identities,
                    n.hasNonNull("link") ? n.get("link").asText() : null, n.get("raw_payload").asText());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a signal record: " + e.getClass().getSimpleName());
        }
    }

    /** Keyed by the first identity, so one identity's signals stay in one partition, in order. */
    public static String key(Signal s) {
        return s.identities().get(0).key();
    }

    public static String order(DispatchOrder o) {
        return Json.write(Map.of("action_id", o.actionId().toString(), "identity_key", o.identityKey(),
                "target", o.targetInstance()));
    }

    public static DispatchOrder order(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return new DispatchOrder(UUID.fromString(n.get("action_id").asText()), n.get("identity_key").asText(),
                    n.path("target").asText(null));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a dispatch order: " + e.getClass().getSimpleName());
        }
    }
}
