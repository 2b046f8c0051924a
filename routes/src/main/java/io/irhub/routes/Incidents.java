package io.irhub.routes;

import io.irhub.routes.store.Database;
import io.irhub.routes.store.Json;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Read models for operators: the incidents list and one incident's whole timeline. Reads only. */
public final class Incidents {
    private final DataSource dataSource;

    public Incidents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Incidents received since {@code since}, newest first, optionally only plans in {@code state}. */
    public List<Map<String, Object>> list(Instant since, String state, int limit) {
        return Database.inTransaction(dataSource, c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.correlation_id::text, s.received_at, s.source_instance, s.detection, s.severity,
                           p.state, p.policy, p.mode,
                           (SELECT count(*) FROM action a WHERE a.correlation_id = s.correlation_id),
                           (SELECT string_agg(DISTINCT a.state, ',') FROM action a WHERE a.correlation_id = s.correlation_id)
                    FROM signal s LEFT JOIN plan p ON p.signal_id = s.id
                    WHERE s.received_at >= ? AND (?::text IS NULL OR coalesce(p.state, 'unplanned') = ?)
                    ORDER BY s.received_at DESC LIMIT ?""")) {
                ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
                ps.setString(2, state);
                ps.setString(3, state);
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("correlation_id", rs.getString(1));
                        m.put("received_at", instant(rs.getTimestamp(2)));
                        m.put("source", rs.getString(3));
                        m.put("detection", rs.getString(4));
                        m.put("severity", rs.getString(5));
                        m.put("state", rs.getString(6) == null ? "unplanned" : rs.getString(6));
                        m.put("policy", rs.getString(7));
                        m.put("mode", rs.getString(8));
                        m.put("actions", rs.getLong(9));
                        m.put("action_states", rs.getString(10) == null ? List.of() : List.of(rs.getString(10).split(",")));
                        out.add(m);
                    }
                }
            }
            return out;
        });
    }

    /** The signal, its plan, every action with its outcome, every decision, and the audit rows in order. */
    public Optional<Map<String, Object>> timeline(UUID correlationId) {
        return Database.inTransaction(dataSource, c -> {
            Map<String, Object> incident = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.id::text, s.source_instance, s.source_type, s.dedupe_key, s.detection, s.severity, s.detected_at,
                           s.received_at, s.identities::text, s.link, s.raw_sha256, p.id::text, p.policy, p.mode, p.state,
                           p.reasons::text
                    FROM signal s LEFT JOIN plan p ON p.signal_id = s.id WHERE s.correlation_id = ?""")) {
                ps.setObject(1, correlationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Map<String, Object>>empty();
                    }
                    incident.put("correlation_id", correlationId.toString());
                    Map<String, Object> signal = new LinkedHashMap<>();
                    signal.put("id", rs.getString(1));
                    signal.put("source", rs.getString(2));
                    signal.put("source_type", rs.getString(3));
                    signal.put("dedupe_key", rs.getString(4));
                    signal.put("detection", rs.getString(5));
                    signal.put("severity", rs.getString(6));
                    signal.put("detected_at", instant(rs.getTimestamp(7)));
                    signal.put("received_at", instant(rs.getTimestamp(8)));
                    signal.put("identities", Json.MAPPER.readValue(rs.getString(9), List.class));
                    signal.put("link", rs.getString(10));
                    signal.put("raw_sha256", rs.getString(11));
                    incident.put("signal", signal);
                    if (rs.getString(12) != null) {
                        Map<String, Object> plan = new LinkedHashMap<>();
                        plan.put("id", rs.getString(12));
                        plan.put("policy", rs.getString(13));
                        plan.put("mode", rs.getString(14));
                        plan.put("state", rs.getString(15));
                        plan.put("reasons", Json.MAPPER.readValue(rs.getString(16), List.class));
                        incident.put("plan", plan);
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("stored JSON is unreadable", e);
                }
            }
            incident.put("actions", rows(c, """
                    SELECT id::text AS id, verb, target_instance AS target, identity_key AS identity, state,
                           restores_action_id::text AS restores, expires_at, confirmed_at, confirmed_by, attempts,
                           outcome::text AS result, created_at, updated_at
                    FROM action WHERE correlation_id = ? ORDER BY seq""", correlationId));
            incident.put("approvals", rows(c, """
                    SELECT d.user_id, d.user_name, d.approve, d.at FROM approval_decision d
                    JOIN approval_request r ON r.plan_id = d.plan_id WHERE r.correlation_id = ? ORDER BY d.at""", correlationId));
            incident.put("timeline", rows(c, """
                    SELECT id, at, stage, actor, connector_instance AS connector, identity, outcome, details::text AS details,
                           chain_seq, hash
                    FROM audit_event WHERE correlation_id = ? ORDER BY id""", correlationId));
            return Optional.of(incident);
        });
    }

    private static List<Map<String, Object>> rows(Connection c, String sql, UUID correlationId) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, correlationId);
            try (ResultSet rs = ps.executeQuery()) {
                var md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        String name = md.getColumnLabel(i);
                        if (v instanceof Timestamp t) {
                            v = t.toInstant().toString();
                        } else if (v instanceof OffsetDateTime t) {
                            v = t.toInstant().toString();
                        } else if (v != null && (name.equals("details") || name.equals("result"))) {
                            v = Json.readMap(v.toString());
                        }
                        m.put(name, v);
                    }
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static String instant(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
