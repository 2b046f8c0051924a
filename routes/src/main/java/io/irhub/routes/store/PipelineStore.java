package io.irhub.routes.store;

import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.AuditEvent.Stage;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;
import io.irhub.routes.policy.PlanDraft;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Signals, plans and actions in PostgreSQL. Every method that changes state writes its audit rows in the same
 * transaction, so no change is ever committed without its evidence.
 */
public final class PipelineStore {
    private final DataSource dataSource;
    private final Clock clock;

    public PipelineStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * What became of a delivered signal.
     *
     * @param orderKey the key that orders its planning: the first identity's key (one identity's signals are planned
     *                 in the order they were accepted), else the dedupe key
     */
    public record Accepted(UUID correlationId, boolean duplicate, String orderKey) {
    }

    /** A signal as stored, ready to be planned. */
    public record StoredSignal(UUID id, UUID correlationId, Signal signal, Instant receivedAt) {
    }

    /**
     * Which of a plan's dispatchable actions the planner's own thread may carry out at once. The first action it
     * picks is claimed with the plan (its intent commits with the plan: one transaction less), and the caller calls
     * the target next; the others are dispatched as usual and queue behind it, so the audit trail still reads intent,
     * outcome, intent, outcome.
     */
    @FunctionalInterface
    public interface ClaimNow {
        ClaimNow NONE = (identityKey, target) -> false;

        boolean test(String identityKey, String targetInstance);
    }

    /** An action to send to dispatch, with the identity key that orders it and the target it goes to. */
    public record DispatchOrder(UUID actionId, String identityKey, String targetInstance) {
    }

    /**
     * An action claimed for execution: its intent is committed.
     *
     * @param signalReceivedAt when the incident's signal was accepted (the start of detection-to-containment), or
     *                         {@code null} for actions no signal started (restores asked for by people)
     */
    public record Claimed(ActionRequest request, boolean dryRun, int attempt, Instant signalReceivedAt) {
    }

    /**
     * Stores a signal (durable accept) or, if its dedupe key was seen before, records the duplicate under the
     * original's correlation id. Either way the audit row commits with it.
     */
    public Accepted accept(Signal s) {
        return Database.inTransaction(dataSource, c -> {
            UUID id = UUID.randomUUID();
            UUID correlationId = UUID.randomUUID();
            Instant now = clock.instant();
            String rawSha = sha256(s.rawPayload());
            int inserted;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO signal (id, correlation_id, source_instance, source_type, dedupe_key, detection, severity,
                                        detected_at, received_at, identities, link, raw_payload, raw_sha256, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, 'accepted')
                    ON CONFLICT (source_instance, dedupe_key) DO NOTHING""")) {
                ps.setObject(1, id);
                ps.setObject(2, correlationId);
                ps.setString(3, s.sourceInstance());
                ps.setString(4, s.sourceType());
                ps.setString(5, s.dedupeKey());
                ps.setString(6, s.detection());
                ps.setString(7, s.severity().wireName());
                ps.setObject(8, utc(s.detectedAt()));
                ps.setObject(9, utc(now));
                ps.setString(10, Json.write(s.identities().stream().map(Json::identity).toList()));
                ps.setString(11, s.link());
                ps.setString(12, s.rawPayload());
                ps.setString(13, rawSha);
                inserted = ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("dedupe_key", s.dedupeKey());
            details.put("detection", s.detection());
            details.put("severity", s.severity().wireName());
            details.put("identities", s.identities().stream().map(Identity::key).toList());
            details.put("raw_sha256", rawSha);
            if (inserted == 1) {
                details.put("signal_id", id.toString());
                details.put("detected_at", s.detectedAt().toString());
                details.put("link", s.link());
                AuditLog.append(c, new AuditEvent(now, correlationId, Stage.SIGNAL_ACCEPTED, "intake",
                        s.sourceInstance(), singleIdentity(s), "accepted", details));
                return new Accepted(correlationId, false, orderKey(s));
            }
            UUID original;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT correlation_id FROM signal WHERE source_instance = ? AND dedupe_key = ?")) {
                ps.setString(1, s.sourceInstance());
                ps.setString(2, s.dedupeKey());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    original = rs.getObject(1, UUID.class);
                }
            }
            AuditLog.append(c, new AuditEvent(now, original, Stage.SIGNAL_DUPLICATE, "intake", s.sourceInstance(),
                    singleIdentity(s), "duplicate", details));
            return new Accepted(original, true, orderKey(s));
        });
    }

    /** Locks a signal that still waits for its plan; empty if it is planned already (redelivery, recovery). */
    public Optional<StoredSignal> lockUnplanned(Connection c, UUID correlationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, source_instance, source_type, dedupe_key, detection, severity, detected_at, identities::text,
                       link, raw_payload, received_at
                FROM signal WHERE correlation_id = ? AND state = 'accepted' FOR UPDATE""")) {
            ps.setObject(1, correlationId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Signal s = new Signal(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        Severity.parse(rs.getString(6)), rs.getTimestamp(7).toInstant(), Json.identities(rs.getString(8)),
                        rs.getString(9), rs.getString(10));
                return Optional.of(new StoredSignal(rs.getObject(1, UUID.class), correlationId, s,
                        rs.getTimestamp(11).toInstant()));
            }
        }
    }

    /**
     * Serializes planning (across replicas too) so that the blast-radius count and the new actions agree. Taken only
     * when a blast-radius guard is configured: without one, plans of different signals do not depend on each other.
     */
    public void lockPlanning(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(7265346)")) {
            ps.execute();
        }
    }

    public int recentAutomaticActions(Connection c, Duration window) throws SQLException {
        if (window.isZero()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM action WHERE automatic AND state <> 'blocked' AND created_at > ?")) {
            ps.setObject(1, utc(clock.instant().minus(window)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Stores the plan, its actions and their audit rows, and marks the signal planned.
     *
     * @return the plan, the actions to dispatch now, and whether an approval request waits to be posted
     */
    public PlanResult savePlan(Connection c, StoredSignal stored, PlanDraft draft) throws SQLException {
        return savePlan(c, stored, draft, ClaimNow.NONE);
    }

    /**
     * As {@link #savePlan(Connection, StoredSignal, PlanDraft)}, also claiming the first dispatchable action
     * {@code claimNow} picks (not while the kill switch is on): it is stored in flight with its intent row.
     */
    public PlanResult savePlan(Connection c, StoredSignal stored, PlanDraft draft, ClaimNow claimNow) throws SQLException {
        Instant now = clock.instant();
        boolean mayClaim = claimNow != ClaimNow.NONE && !paused(c);
        UUID planId = UUID.randomUUID();
        UUID corr = stored.correlationId();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO plan (id, correlation_id, signal_id, policy, mode, state, reasons, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")) {
            ps.setObject(1, planId);
            ps.setObject(2, corr);
            ps.setObject(3, stored.id());
            ps.setString(4, draft.policy());
            ps.setString(5, draft.matched() ? draft.mode().wireName() : "none");
            ps.setString(6, draft.planState());
            ps.setString(7, Json.write(draft.reasons()));
            ps.setObject(8, utc(now));
            ps.setObject(9, utc(now));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal SET state = 'planned' WHERE id = ?")) {
            ps.setObject(1, stored.id());
            ps.executeUpdate();
        }

        List<DispatchOrder> toDispatch = new ArrayList<>();
        List<Claimed> claimed = new ArrayList<>();
        List<AuditEvent> intents = new ArrayList<>();
        List<Map<String, Object>> summary = new ArrayList<>();
        boolean automatic = draft.matched() && draft.mode() == io.irhub.routes.policy.Mode.AUTO;
        boolean dryRun = draft.matched() && draft.mode() == io.irhub.routes.policy.Mode.DRY_RUN;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO action (id, plan_id, correlation_id, seq, verb, target_instance, identity, identity_key,
                                    idempotency_key, automatic, dry_run, expires_at, state, created_at, updated_at, attempts)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (PlanDraft.DraftAction a : draft.actions()) {
                UUID actionId = UUID.randomUUID();
                boolean claimHere = mayClaim && claimed.isEmpty() && a.state() == PlanDraft.ActionState.PENDING
                        && claimNow.test(a.identity().key(), a.target());
                ps.setObject(1, actionId);
                ps.setObject(2, planId);
                ps.setObject(3, corr);
                ps.setInt(4, a.seq());
                ps.setString(5, a.verb().wireName());
                ps.setString(6, a.target());
                ps.setString(7, Json.write(Json.identity(a.identity())));
                ps.setString(8, a.identity().key());
                ps.setString(9, idempotencyKey(stored.id(), a));
                ps.setBoolean(10, automatic);
                ps.setBoolean(11, dryRun);
                ps.setObject(12, a.expiresAt() == null ? null : utc(a.expiresAt()));
                ps.setString(13, claimHere ? "in-flight" : a.state().wire);
                ps.setObject(14, utc(now));
                ps.setObject(15, utc(now));
                ps.setInt(16, claimHere ? 1 : 0);
                ps.addBatch();
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("action_id", actionId.toString());
                line.put("verb", a.verb().wireName());
                line.put("target", a.target());
                line.put("identity", a.identity().key());
                line.put("state", a.state().wire);
                line.put("irreversible", !a.verb().reversible());
                if (a.expiresAt() != null) {
                    line.put("expires_at", a.expiresAt().toString());
                }
                summary.add(line);
                if (claimHere) {
                    ActionRequest request = new ActionRequest(actionId, corr, a.verb(), a.target(), a.identity(),
                            idempotencyKey(stored.id(), a), a.expiresAt());
                    claimed.add(new Claimed(request, dryRun, 1, stored.receivedAt()));
                    intents.add(intent(now, request, dryRun, 1));
                } else if (a.state() == PlanDraft.ActionState.PENDING) {
                    toDispatch.add(new DispatchOrder(actionId, a.identity().key(), a.target()));
                }
                if (a.state() == PlanDraft.ActionState.BLOCKED) {
                    AuditLog.append(c, new AuditEvent(now, corr, Stage.GUARD, "guard:protected-identities", a.target(),
                            a.identity().key(), "blocked", Map.of("action_id", actionId.toString(),
                            "verb", a.verb().wireName(), "protected_by", a.blockedBy())));
                }
            }
            ps.executeBatch();
        }
        for (String reason : draft.reasons()) {
            if (reason.startsWith("blast radius")) {
                AuditLog.append(c, new AuditEvent(now, corr, Stage.GUARD, "guard:blast-radius", null, null,
                        "escalated", Map.of("reason", reason)));
            }
        }
        if (draft.approval() != null && draft.planState().equals("awaiting-approval")) {
            insertApprovalRequest(c, planId, corr, draft, now);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("plan_id", planId.toString());
        details.put("signal_id", stored.id().toString());
        details.put("mode", draft.matched() ? draft.mode().wireName() : "none");
        details.put("state", draft.planState());
        details.put("reasons", draft.reasons());
        details.put("actions", summary);
        AuditLog.append(c, new AuditEvent(now, corr, Stage.PLAN, draft.matched() ? "policy:" + draft.policy() : "planner",
                stored.signal().sourceInstance(), singleIdentity(stored.signal()),
                draft.matched() ? draft.planState() : "no-match", details));
        for (AuditEvent intent : intents) {
            AuditLog.append(c, intent);
        }
        return new PlanResult(planId, toDispatch, draft.approval() != null && draft.planState().equals("awaiting-approval"),
                claimed);
    }

    private static boolean paused(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT enabled FROM hub_state WHERE name = 'paused'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static AuditEvent intent(Instant now, ActionRequest request, boolean dryRun, int attempt) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action_id", request.actionId().toString());
        details.put("verb", request.verb().wireName());
        details.put("idempotency_key", request.idempotencyKey());
        details.put("attempt", attempt);
        details.put("dry_run", dryRun);
        if (request.expiresAt() != null) {
            details.put("expires_at", request.expiresAt().toString());
        }
        return new AuditEvent(now, request.correlationId(), Stage.ACTION_INTENT, "dispatch",
                request.targetInstance(), request.identity().key(), attempt > 1 ? "resumed" : "intent", details);
    }

    /**
     * What planning produced.
     *
     * @param toDispatch       the actions to dispatch now
     * @param approvalToPost   whether an approval request was stored and waits to be posted
     * @param claimed          the actions claimed with the plan (see {@link ClaimNow}), for the caller to carry out
     */
    public record PlanResult(UUID planId, List<DispatchOrder> toDispatch, boolean approvalToPost, List<Claimed> claimed) {
        public static final PlanResult NOTHING = new PlanResult(null, List.of(), false, List.of());

        public PlanResult {
            toDispatch = List.copyOf(toDispatch);
            claimed = List.copyOf(claimed);
        }
    }

    private static void insertApprovalRequest(Connection c, UUID planId, UUID corr, PlanDraft draft, Instant now)
            throws SQLException {
        var approval = draft.approval();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO approval_request (plan_id, correlation_id, channel_instance, approvers, approvals_needed,
                                              deadline, on_timeout, state, created_at, updated_at)
                VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, 'awaiting', ?, ?)""")) {
            ps.setObject(1, planId);
            ps.setObject(2, corr);
            ps.setString(3, approval.channel());
            ps.setString(4, Json.write(approval.approvers().stream().map(a -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", a.id());
                if (a.login() != null) {
                    m.put("login", a.login());
                }
                return m;
            }).toList()));
            ps.setInt(5, draft.approvalsNeeded());
            ps.setObject(6, utc(now.plus(approval.timeout())));
            ps.setString(7, approval.onTimeoutApprove() ? "approve" : "deny");
            ps.setObject(8, utc(now));
            ps.setObject(9, utc(now));
            ps.executeUpdate();
        }
    }

    /**
     * Claims an action for execution and commits its intent audit row before anyone calls the target.
     *
     * @param resume also claim an action left in flight by a crashed run (recovery only)
     * @return empty when the action is not claimable (already finished, awaiting approval, claimed elsewhere, or the
     * kill switch is on: read in the same statement, so a pause takes effect for every claim after it)
     */
    public Optional<Claimed> claim(UUID actionId, boolean resume) {
        return Database.inTransaction(dataSource, c -> {
            Instant now = clock.instant();
            ActionRequest request;
            boolean dryRun;
            int attempt;
            Timestamp signalReceivedAt;
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE action SET state = 'in-flight', attempts = attempts + 1, updated_at = ?
                    WHERE id = ? AND (state = 'pending' OR (? AND state = 'in-flight'))
                      AND NOT EXISTS (SELECT 1 FROM hub_state WHERE name = 'paused' AND enabled)
                    RETURNING correlation_id, verb, target_instance, identity::text, idempotency_key, expires_at,
                              dry_run, attempts,
                              (SELECT s.received_at FROM signal s WHERE s.correlation_id = action.correlation_id)""")) {
                ps.setObject(1, utc(now));
                ps.setObject(2, actionId);
                ps.setBoolean(3, resume);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Claimed>empty();
                    }
                    Timestamp expires = rs.getTimestamp(6);
                    request = new ActionRequest(actionId, rs.getObject(1, UUID.class), Verb.fromWire(rs.getString(2)),
                            rs.getString(3), Json.identity(Json.readMap(rs.getString(4))), rs.getString(5),
                            expires == null ? null : expires.toInstant());
                    dryRun = rs.getBoolean(7);
                    attempt = rs.getInt(8);
                    signalReceivedAt = rs.getTimestamp(9);
                }
            }
            AuditLog.append(c, intent(now, request, dryRun, attempt));
            return Optional.of(new Claimed(request, dryRun, attempt,
                    signalReceivedAt == null ? null : signalReceivedAt.toInstant()));
        });
    }

    /**
     * Records an action's outcome with its audit row, and completes the plan when its last action finishes.
     *
     * @return whether the incident has an approval request, whose message should show the outcome
     */
    public boolean complete(ActionRequest request, ActionOutcome outcome) {
        return Database.inTransaction(dataSource, c -> {
            Instant now = clock.instant();
            Map<String, Object> stored = new LinkedHashMap<>();
            stored.put("status", outcome.status().name().toLowerCase(Locale.ROOT));
            stored.put("message", outcome.message());
            stored.put("target_ref", outcome.targetRef());
            stored.put("details", outcome.details());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE action SET state = ?, outcome = ?::jsonb, updated_at = ? WHERE id = ? AND state = 'in-flight'")) {
                ps.setString(1, stateOf(outcome.status()));
                ps.setString(2, Json.write(stored));
                ps.setObject(3, utc(now));
                ps.setObject(4, request.actionId());
                if (ps.executeUpdate() != 1) {
                    throw new StoreException("action " + request.actionId() + " was not in flight; outcome not recorded twice");
                }
            }
            Map<String, Object> details = new LinkedHashMap<>(stored);
            details.put("action_id", request.actionId().toString());
            details.put("verb", request.verb().wireName());
            AuditLog.append(c, new AuditEvent(now, request.correlationId(), Stage.ACTION_OUTCOME, "target:" + request.targetInstance(),
                    request.targetInstance(), request.identity().key(), stateOf(outcome.status()), details));
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE plan p SET updated_at = ?,
                           state = CASE WHEN EXISTS (SELECT 1 FROM action a WHERE a.plan_id = p.id AND a.state = 'failed')
                                        THEN 'failed' ELSE 'completed' END
                    WHERE p.id = (SELECT plan_id FROM action WHERE id = ?) AND p.state = 'dispatching'
                      AND NOT EXISTS (SELECT 1 FROM action a WHERE a.plan_id = p.id AND a.state IN ('pending', 'in-flight'))""")) {
                ps.setObject(1, utc(now));
                ps.setObject(2, request.actionId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM approval_request WHERE correlation_id = ?)")) {
                ps.setObject(1, request.correlationId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** Signals accepted before {@code before} that have no plan yet (a crash between accept and plan). */
    public List<Accepted> unplannedSignals(Instant before) {
        return Database.inTransaction(dataSource, c -> {
            List<Accepted> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT correlation_id, identities::text, dedupe_key FROM signal
                    WHERE state = 'accepted' AND received_at < ? ORDER BY received_at""")) {
                ps.setObject(1, utc(before));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Identity> identities = Json.identities(rs.getString(2));
                        out.add(new Accepted(rs.getObject(1, UUID.class), false,
                                identities.isEmpty() ? rs.getString(3) : identities.get(0).key()));
                    }
                }
            }
            return out;
        });
    }

    /** Actions created before {@code before} that were never finished (a crash before or during the target call). */
    public List<DispatchOrder> unfinishedActions(Instant before) {
        return orders("""
                SELECT id, identity_key, target_instance FROM action
                WHERE state IN ('pending', 'in-flight') AND created_at < ?
                ORDER BY created_at, seq""", utc(before));
    }

    /** A target's actions that wait to be claimed (held back while its circuit was open), oldest first. */
    public List<DispatchOrder> pendingActions(String targetInstance) {
        return orders("""
                SELECT id, identity_key, target_instance FROM action
                WHERE state = 'pending' AND target_instance = ?
                ORDER BY created_at, seq""", targetInstance);
    }

    private List<DispatchOrder> orders(String sql, Object parameter) {
        return Database.inTransaction(dataSource, c -> {
            List<DispatchOrder> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, parameter);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DispatchOrder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        });
    }

    static String stateOf(ActionOutcome.Status status) {
        return switch (status) {
            case SUCCEEDED -> "succeeded";
            case ALREADY_DONE -> "already-done";
            case REFUSED -> "refused";
            case FAILED -> "failed";
            case DRY_RUN -> "dry-run";
            case BLOCKED -> "blocked";
        };
    }

    private static String idempotencyKey(UUID signalId, PlanDraft.DraftAction a) {
        return sha256(signalId + "\n" + a.verb().wireName() + "\n" + a.target() + "\n" + a.identity().key());
    }

    private static String orderKey(Signal s) {
        return s.identities().isEmpty() ? s.dedupeKey() : s.identities().get(0).key();
    }

    private static String singleIdentity(Signal s) {
        return s.identities().size() == 1 ? s.identities().get(0).key() : null;
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
