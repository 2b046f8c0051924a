package io.irhub.routes;

import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.Verb;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import io.irhub.routes.store.PipelineStore.DispatchOrder;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Every suspension the hub made can be reversed: a restore is an action of its own (verb {@code restore}, same
 * correlation id, the target's restore credential) pointing at the suspension. Requested by a person (API, CLI) or
 * by the expiry of a suspension nobody confirmed.
 */
public final class Restores {
    private final DataSource dataSource;
    private final Map<String, Set<Verb>> capabilities;
    private final Clock clock;

    public Restores(DataSource dataSource, Map<String, Set<Verb>> capabilities, Clock clock) {
        this.dataSource = dataSource;
        this.capabilities = Map.copyOf(capabilities);
        this.clock = clock;
    }

    /** A restore that cannot be made, with the reason in words. */
    public static final class Refused extends RuntimeException {
        public final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Requests the restore of one suspension. Asking again while a restore is pending or done changes nothing.
     *
     * @return the restore action to dispatch, or nothing when one already exists
     * @throws Refused when the action is unknown, not a suspension the hub made, or its target cannot restore
     */
    public List<DispatchOrder> restoreAction(UUID actionId, String actor, String reason) {
        return Database.inTransaction(dataSource, c -> {
            Suspension s = suspension(c, actionId);
            if (s == null) {
                throw new Refused(404, "no action " + actionId);
            }
            if (!s.verb.equals(Verb.SUSPEND.wireName())) {
                throw new Refused(409, "action " + actionId + " is a " + s.verb + ": only a suspension is restored");
            }
            if (!s.hubMade()) {
                throw new Refused(409, "action " + actionId + " is " + s.state
                        + ": only a suspension the hub carried out is restored (restoring it would undo a change the hub did not make)");
            }
            return request(c, s, actor, reason).map(List::of).orElse(List.of());
        });
    }

    /** Requests the restore of every suspension of one incident that has none yet. */
    public List<DispatchOrder> restoreIncident(UUID correlationId, String actor, String reason) {
        return Database.inTransaction(dataSource, c -> {
            List<UUID> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id FROM action WHERE correlation_id = ? AND verb = 'suspend'
                      AND (state = 'succeeded' OR (state = 'already-done' AND attempts > 1))
                    ORDER BY seq""")) {
                ps.setObject(1, correlationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            if (ids.isEmpty() && !incidentExists(c, correlationId)) {
                throw new Refused(404, "no incident " + correlationId);
            }
            List<DispatchOrder> orders = new ArrayList<>();
            for (UUID id : ids) {
                request(c, suspension(c, id), actor, reason).ifPresent(orders::add);
            }
            return orders;
        });
    }

    /** Restores every unconfirmed suspension whose expiry has passed and that was never restored. */
    public List<DispatchOrder> expire() {
        return Database.inTransaction(dataSource, c -> {
            List<UUID> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.id FROM action a
                    WHERE a.verb = 'suspend' AND (a.state = 'succeeded' OR (a.state = 'already-done' AND a.attempts > 1))
                      AND a.expires_at IS NOT NULL
                      AND a.expires_at <= ? AND a.confirmed_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM action r WHERE r.restores_action_id = a.id)
                    ORDER BY a.expires_at LIMIT 500 FOR UPDATE SKIP LOCKED""")) {
                ps.setObject(1, utc(clock.instant()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            List<DispatchOrder> orders = new ArrayList<>();
            for (UUID id : due) {
                Suspension s = suspension(c, id);
                if (capabilities.getOrDefault(s.target, Set.of()).contains(Verb.RESTORE)) {
                    request(c, s, "expiry", "the suspension expired at " + s.expiresAt + " unconfirmed")
                            .ifPresent(orders::add);
                }
            }
            return orders;
        });
    }

    /** Confirms a suspension: its expiry will not restore it. */
    public void confirm(UUID actionId, String actor) {
        Database.inTransaction(dataSource, c -> {
            Suspension s = suspension(c, actionId);
            if (s == null) {
                throw new Refused(404, "no action " + actionId);
            }
            if (!s.verb.equals(Verb.SUSPEND.wireName())) {
                throw new Refused(409, "action " + actionId + " is a " + s.verb + ": only a suspension is confirmed");
            }
            Instant now = clock.instant();
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE action SET confirmed_at = ?, confirmed_by = ?, updated_at = ? WHERE id = ? AND confirmed_at IS NULL")) {
                ps.setObject(1, utc(now));
                ps.setString(2, actor);
                ps.setObject(3, utc(now));
                ps.setObject(4, actionId);
                if (ps.executeUpdate() == 0) {
                    return null;
                }
            }
            AuditLog.append(c, new AuditEvent(now, s.correlationId, AuditEvent.Stage.CONFIRMED, actor, s.target,
                    s.identityKey, "confirmed", Map.of("action_id", actionId.toString())));
            return null;
        });
    }

    private java.util.Optional<DispatchOrder> request(Connection c, Suspension s, String actor, String reason)
            throws SQLException {
        if (!capabilities.getOrDefault(s.target, Set.of()).contains(Verb.RESTORE)) {
            throw new Refused(409, "target " + s.target + " cannot restore (it is not configured, or its connector has no restore)");
        }
        int previous;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FILTER (WHERE state NOT IN ('failed', 'refused')), count(*)
                FROM action WHERE restores_action_id = ?""")) {
            ps.setObject(1, s.id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return java.util.Optional.empty();
                }
                previous = rs.getInt(2);
            }
        }
        Instant now = clock.instant();
        UUID restoreId = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO action (id, plan_id, correlation_id, seq, verb, target_instance, identity, identity_key,
                                    idempotency_key, automatic, dry_run, state, restores_action_id, created_at, updated_at)
                SELECT ?, plan_id, correlation_id, (SELECT max(seq) + 1 FROM action WHERE plan_id = a.plan_id), 'restore',
                       target_instance, identity, identity_key, ?, false, false, 'pending', id, ?, ?
                FROM action a WHERE id = ?""")) {
            ps.setObject(1, restoreId);
            ps.setString(2, sha256(s.id + "\nrestore\n" + previous));
            ps.setObject(3, utc(now));
            ps.setObject(4, utc(now));
            ps.setObject(5, s.id);
            ps.executeUpdate();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("restores_action_id", s.id.toString());
        details.put("action_id", restoreId.toString());
        details.put("reason", reason);
        AuditLog.append(c, new AuditEvent(now, s.correlationId, AuditEvent.Stage.RESTORE_REQUESTED, actor, s.target,
                s.identityKey, "requested", details));
        return java.util.Optional.of(new DispatchOrder(restoreId, s.identityKey, s.target));
    }

    /**
     * @param attempts how often the hub claimed it; an action resumed after a crash that finds the target already in
     *                 the wanted state most probably finds its own first attempt's change, so it is the hub's to undo
     */
    private record Suspension(UUID id, UUID correlationId, String verb, String state, String target,
                              String identityKey, Instant expiresAt, int attempts) {
        boolean hubMade() {
            return state.equals("succeeded") || (state.equals("already-done") && attempts > 1);
        }
    }

    private static Suspension suspension(Connection c, UUID actionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, correlation_id, verb, state, target_instance, identity_key, expires_at, attempts
                FROM action WHERE id = ? FOR UPDATE""")) {
            ps.setObject(1, actionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                java.sql.Timestamp exp = rs.getTimestamp(7);
                return new Suspension(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), exp == null ? null : exp.toInstant(), rs.getInt(8));
            }
        }
    }

    private static boolean incidentExists(Connection c, UUID correlationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM signal WHERE correlation_id = ?")) {
            ps.setObject(1, correlationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
