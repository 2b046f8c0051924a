package io.irhub.routes;

import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalStatus;
import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Interaction;
import io.irhub.connector.api.MessageRef;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Verb;
import io.irhub.routes.policy.ApprovalPolicy;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import io.irhub.routes.store.Json;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Plans that wait for people. The request is stored with the plan; it is posted to its channel, decided there by
 * configured approvers (never by the person the plan acts on; two of them where irreversible actions ask for it),
 * or expires. Every decision, refusal and expiry is audited under the plan's correlation id, and all state lives in
 * PostgreSQL so any replica can take the click.
 */
public final class Approvals {
    private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);

    private final DataSource dataSource;
    private final Map<String, ApprovalChannel> channels;
    private final Clock clock;
    private final Metrics metrics;

    public Approvals(DataSource dataSource, Map<String, ApprovalChannel> channels, Clock clock) {
        this(dataSource, channels, clock, Metrics.standalone());
    }

    public Approvals(DataSource dataSource, Map<String, ApprovalChannel> channels, Clock clock, Metrics metrics) {
        this.dataSource = dataSource;
        this.channels = Map.copyOf(channels);
        this.clock = clock;
        this.metrics = metrics;
    }

    public Map<String, ApprovalChannel> channels() {
        return channels;
    }

    /** A stored request, with what its message shows. */
    private record Stored(UUID planId, UUID correlationId, String channel, MessageRef message,
                          List<ApprovalPolicy.Approver> approvers, int needed, Instant deadline, boolean onTimeoutApprove,
                          String state, ApprovalRequest request, Instant createdAt) {
    }

    /** What a click did: the actions it released, or why it was refused. */
    public record Decided(List<DispatchOrder> toDispatch, String refusal) {
    }

    /** Posts a stored request that has no message yet. Posting twice is avoided by the message id check. */
    public void post(UUID planId) {
        Stored s = Database.inTransaction(dataSource, c -> load(c, planId, false));
        if (s == null || s.message != null || !s.state.equals("awaiting") || s.channel == null) {
            return;
        }
        ApprovalChannel channel = channel(s.channel);
        MessageRef ref = channel.post(s.request);
        Database.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE approval_request SET message_channel = ?, message_id = ?, updated_at = ?
                    WHERE plan_id = ? AND message_id IS NULL""")) {
                ps.setString(1, ref.channel());
                ps.setString(2, ref.id());
                ps.setObject(3, utc(clock.instant()));
                ps.setObject(4, planId);
                ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("plan_id", planId.toString());
            details.put("message_channel", ref.channel());
            details.put("message_id", ref.id());
            details.put("approvers", s.approvers.stream().map(ApprovalPolicy.Approver::id).toList());
            details.put("approvals_needed", s.needed);
            details.put("deadline", s.deadline.toString());
            AuditLog.append(c, new AuditEvent(clock.instant(), s.correlationId, AuditEvent.Stage.APPROVAL, "approval",
                    s.channel, null, "requested", details));
            return null;
        });
    }

    /** Requests stored before {@code before} that still have no message (the channel was down). */
    public List<UUID> unposted(Instant before) {
        return Database.inTransaction(dataSource, c -> {
            List<UUID> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT plan_id FROM approval_request
                    WHERE state = 'awaiting' AND message_id IS NULL AND channel_instance IS NOT NULL AND created_at < ?""")) {
                ps.setObject(1, utc(before));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Takes one click. Refusals (unknown plan, decided or expired plan, not an approver, the approver is one of the
     * identities acted on, a second click by the same person) change nothing but their audit row, and the person who
     * clicked is told why.
     */
    public Decided decide(String channelInstance, Interaction click) {
        return decide(channelInstance, click, false);
    }

    /**
     * An operator's decision through the API (role {@code operator}): the approvers list does not apply, everything
     * else does (state, deadline, one decision per person, two people for irreversible actions).
     */
    public Decided decideAsOperator(UUID planId, String actor, boolean approve) {
        Stored s = Database.inTransaction(dataSource, c -> load(c, planId, false));
        if (s == null) {
            return new Decided(List.of(), "there is no approval request for plan " + planId);
        }
        return decide(s.channel, new Interaction(planId, approve, actor, actor, null, s.message, null), true);
    }

    private Decided decide(String channelInstance, Interaction click, boolean operator) {
        Instant now = clock.instant();
        String[] refusal = new String[1];
        Stored[] after = new Stored[1];
        List<DispatchOrder> orders = Database.inTransaction(dataSource, c -> {
            Stored s = load(c, click.planId(), true);
            String actor = operator ? click.userId() : "person:" + click.userId();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("plan_id", click.planId().toString());
            details.put("approver_id", click.userId());
            details.put("approver_name", click.userName());
            details.put("decision", click.approve() ? "approve" : "deny");
            details.put("channel", channelInstance);
            refusal[0] = s == null || !java.util.Objects.equals(s.channel, channelInstance) ? "there is no such plan waiting here"
                    : !s.state.equals("awaiting") ? "this plan is already " + s.state
                    : !now.isBefore(s.deadline) ? "this plan expired at " + s.deadline
                    : operator ? null
                    : s.approvers.stream().noneMatch(a -> a.id().equals(click.userId())) ? "you are not an approver of this plan"
                    : ApprovalPolicy.isSelf(s.approvers.stream().filter(a -> a.id().equals(click.userId())).findFirst().orElseThrow(),
                    s.request.actions().stream().map(ApprovalRequest.ProposedAction::identity).toList())
                    ? "you cannot decide a plan that acts on your own identity" : null;
            if (refusal[0] == null && !recordDecision(c, click, now)) {
                refusal[0] = "you already decided this plan; another approver is needed";
            }
            if (refusal[0] != null) {
                metrics.approval("refused");
                details.put("reason", refusal[0]);
                AuditLog.append(c, new AuditEvent(now, s == null ? null : s.correlationId, AuditEvent.Stage.APPROVAL,
                        actor, channelInstance, null, "refused", details));
                return List.<DispatchOrder>of();
            }
            List<DispatchOrder> dispatch = List.of();
            String outcome;
            if (!click.approve()) {
                finish(c, s.planId, "denied", now);
                outcome = "denied";
            } else if (approvals(c, s.planId) >= s.needed) {
                dispatch = finish(c, s.planId, "approved", now);
                outcome = "approved";
            } else {
                outcome = "approval-recorded";
            }
            AuditLog.append(c, new AuditEvent(now, s.correlationId, AuditEvent.Stage.APPROVAL, actor, channelInstance,
                    null, outcome, details));
            metrics.approval(outcome);
            if (!outcome.equals("approval-recorded")) {
                metrics.approvalLatency(outcome, java.time.Duration.between(s.createdAt, now));
            }
            after[0] = load(c, s.planId, false);
            return dispatch;
        });
        ApprovalChannel channel = channelInstance == null ? null : channels.get(channelInstance);
        if (refusal[0] != null) {
            if (!operator) {
                tellQuietly(channel, click, "irhub: " + refusal[0] + ". Nothing was changed.");
            }
        } else {
            updateQuietly(after[0]);
        }
        return new Decided(orders, refusal[0]);
    }

    /** Plans whose deadline passed undecided: denied (or, where the policy says so, approved). */
    public List<DispatchOrder> expire() {
        Instant now = clock.instant();
        List<Stored> changed = new ArrayList<>();
        List<DispatchOrder> orders = Database.inTransaction(dataSource, c -> {
            List<UUID> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT plan_id FROM approval_request WHERE state = 'awaiting' AND deadline <= ?
                    ORDER BY deadline LIMIT 200 FOR UPDATE SKIP LOCKED""")) {
                ps.setObject(1, utc(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            List<DispatchOrder> dispatch = new ArrayList<>();
            for (UUID planId : due) {
                Stored s = load(c, planId, false);
                if (s.onTimeoutApprove) {
                    dispatch.addAll(finish(c, planId, "approved", now));
                } else {
                    finish(c, planId, "expired", now);
                }
                metrics.approval(s.onTimeoutApprove ? "approved-on-timeout" : "expired");
                AuditLog.append(c, new AuditEvent(now, s.correlationId, AuditEvent.Stage.APPROVAL, "timeout", s.channel,
                        null, s.onTimeoutApprove ? "approved" : "expired", Map.of("plan_id", planId.toString(),
                        "deadline", s.deadline.toString(), "on_timeout", s.onTimeoutApprove ? "approve" : "deny")));
                changed.add(load(c, planId, false));
            }
            return dispatch;
        });
        changed.forEach(this::updateQuietly);
        return orders;
    }

    /** Shows the latest outcomes on the plan's message, if it has one. */
    public void refresh(UUID correlationId) {
        Stored s = Database.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT plan_id FROM approval_request WHERE correlation_id = ?")) {
                ps.setObject(1, correlationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? load(c, rs.getObject(1, UUID.class), false) : null;
                }
            }
        });
        if (s != null && !s.state.equals("awaiting")) {
            updateQuietly(s);
        }
    }

    private boolean recordDecision(Connection c, Interaction click, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO approval_decision (plan_id, user_id, user_name, approve, at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (plan_id, user_id) DO NOTHING""")) {
            ps.setObject(1, click.planId());
            ps.setString(2, click.userId());
            ps.setString(3, click.userName());
            ps.setBoolean(4, click.approve());
            ps.setObject(5, utc(now));
            return ps.executeUpdate() == 1;
        }
    }

    private static int approvals(Connection c, UUID planId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM approval_decision WHERE plan_id = ? AND approve")) {
            ps.setObject(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Closes the request; approved actions become pending and are returned for dispatch. */
    private List<DispatchOrder> finish(Connection c, UUID planId, String state, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE approval_request SET state = ?, updated_at = ? WHERE plan_id = ?")) {
            ps.setString(1, state);
            ps.setObject(2, utc(now));
            ps.setObject(3, planId);
            ps.executeUpdate();
        }
        boolean approved = state.equals("approved");
        try (PreparedStatement ps = c.prepareStatement("UPDATE plan SET state = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, approved ? "dispatching" : state);
            ps.setObject(2, utc(now));
            ps.setObject(3, planId);
            ps.executeUpdate();
        }
        List<DispatchOrder> orders = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE action SET state = ?, updated_at = ? WHERE plan_id = ? AND state = 'awaiting-approval'
                RETURNING id, identity_key, target_instance""")) {
            ps.setString(1, approved ? "pending" : state);
            ps.setObject(2, utc(now));
            ps.setObject(3, planId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    orders.add(new DispatchOrder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return approved ? orders : List.of();
    }

    private Stored load(Connection c, UUID planId, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.correlation_id, r.channel_instance, r.message_channel, r.message_id, r.approvers::text,
                       r.approvals_needed, r.deadline, r.on_timeout, r.state,
                       s.source_instance, s.detection, s.severity, s.link, p.policy, p.reasons::text, r.created_at
                FROM approval_request r JOIN plan p ON p.id = r.plan_id JOIN signal s ON s.id = p.signal_id
                WHERE r.plan_id = ?""" + (lock ? " FOR UPDATE OF r" : ""))) {
            ps.setObject(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                UUID corr = rs.getObject(1, UUID.class);
                List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
                for (Object o : Json.MAPPER.readValue(rs.getString(5), List.class)) {
                    Map<?, ?> m = (Map<?, ?>) o;
                    approvers.add(new ApprovalPolicy.Approver((String) m.get("id"), (String) m.get("login")));
                }
                Instant deadline = rs.getTimestamp(7).toInstant();
                List<String> reasons = Json.MAPPER.readValue(rs.getString(15),
                        Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
                ApprovalRequest request = new ApprovalRequest(planId, corr, rs.getString(10), rs.getString(11),
                        Severity.parse(rs.getString(12)), rs.getString(13), rs.getString(14), proposed(c, planId),
                        reasons, deadline, rs.getInt(6));
                MessageRef message = rs.getString(4) == null ? null : new MessageRef(rs.getString(3), rs.getString(4));
                return new Stored(planId, corr, rs.getString(2), message, approvers, rs.getInt(6), deadline,
                        rs.getString(8).equals("approve"), rs.getString(9), request, rs.getTimestamp(16).toInstant());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("stored approval request is unreadable", e);
            }
        }
    }

    private static List<ApprovalRequest.ProposedAction> proposed(Connection c, UUID planId) throws SQLException {
        List<ApprovalRequest.ProposedAction> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT verb, target_instance, identity::text FROM action WHERE plan_id = ? AND verb <> 'restore' ORDER BY seq")) {
            ps.setObject(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Identity identity = Json.identity(Json.readMap(rs.getString(3)));
                    out.add(new ApprovalRequest.ProposedAction(Verb.fromWire(rs.getString(1)), rs.getString(2), identity));
                }
            }
        }
        return out;
    }

    private ApprovalStatus status(Stored s) {
        return Database.inTransaction(dataSource, c -> {
            List<ApprovalStatus.Decision> decisions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id, user_name, approve, at FROM approval_decision WHERE plan_id = ? ORDER BY at")) {
                ps.setObject(1, s.planId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        decisions.add(new ApprovalStatus.Decision(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                                rs.getTimestamp(4).toInstant()));
                    }
                }
            }
            List<String> outcomes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT verb, identity_key, target_instance, state FROM action WHERE plan_id = ? ORDER BY seq")) {
                ps.setObject(1, s.planId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        outcomes.add(rs.getString(1) + " " + rs.getString(2) + " on " + rs.getString(3) + ": " + rs.getString(4));
                    }
                }
            }
            String state = s.state.equals("awaiting") ? "awaiting-approval" : s.state;
            return new ApprovalStatus(state, decisions, outcomes);
        });
    }

    private ApprovalChannel channel(String instance) {
        ApprovalChannel channel = channels.get(instance);
        if (channel == null) {
            throw new IllegalStateException("approval channel " + instance + " is not configured");
        }
        return channel;
    }

    private void updateQuietly(Stored s) {
        if (s == null || s.message == null || s.channel == null || !channels.containsKey(s.channel)) {
            return;
        }
        try {
            channels.get(s.channel).update(s.message, s.request, status(s));
        } catch (RuntimeException e) {
            // the decision is recorded; a stale message is shown again on the next outcome
            LOG.warn("could not update the approval message of plan {}: {}", s.planId, e.getMessage());
        }
    }

    private static void tellQuietly(ApprovalChannel channel, Interaction click, String text) {
        if (channel == null) {
            return;
        }
        try {
            channel.tell(click, text);
        } catch (RuntimeException e) {
            LOG.warn("could not tell {} why their click was refused: {}", click.userId(), e.getMessage());
        }
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
