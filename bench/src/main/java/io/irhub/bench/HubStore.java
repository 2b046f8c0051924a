package io.irhub.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the hub wrote, read straight from its database. */
final class HubStore implements AutoCloseable {
    private final Connection c;

    HubStore(Db db, String database) throws SQLException {
        this.c = db.connect(database);
    }

    long finishedActions(String phase) throws SQLException {
        return count("SELECT count(*) FROM action WHERE state IN ('succeeded', 'already-done') AND identity_key LIKE 'user:"
                + phase + "-u%'");
    }

    long count(String sql) throws SQLException {
        return Db.count(c, sql);
    }

    long auditRows() throws SQLException {
        return count("SELECT count(*) FROM audit_event");
    }

    long unchained() throws SQLException {
        return count("SELECT count(*) FROM audit_event WHERE chain_seq IS NULL");
    }

    /** Committed transactions of this database so far (pg_stat_database; flushed by the server every ~0.5 s). */
    long commits() throws SQLException {
        return count("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }

    /** WAL flushes of the whole server (PostgreSQL 14+), or -1. */
    long walSyncs() {
        try {
            return count("SELECT wal_sync FROM pg_stat_wal");
        } catch (SQLException e) {
            return -1;
        }
    }

    /**
     * Polls until {@code expected} actions of the phase have finished in the store, or the timeout.
     *
     * @return nanoTime when it was seen complete, or -1
     */
    long awaitFinished(String phase, long expected, Duration timeout) {
        return seenAt(timeout, () -> finishedActions(phase) >= expected);
    }

    long awaitChained(Duration timeout) {
        return seenAt(timeout, () -> unchained() == 0);
    }

    /** nanoTime when {@code condition} was first seen true (polled every 100 ms), or -1 after {@code timeout}. */
    private static long seenAt(Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(condition);
            return System.nanoTime();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return -1;
        }
    }

    /**
     * The loss check: every signal the hub accepted (its 202 named the correlation id) has its signal row, one plan,
     * one finished action, and the four audit rows of its story (signal-accepted, plan, action-intent,
     * action-outcome); no stored signal is unknown to the bench; nothing is left pending or in flight.
     */
    Map<String, Object> lossCheck(List<PhaseRun> phases) throws SQLException {
        Set<String> accepted = new HashSet<>();
        for (PhaseRun p : phases) {
            accepted.addAll(p.correlationIds);
        }
        Map<String, int[]> stored = new HashMap<>();
        // per correlation id: signal planned?, plans, finished actions, all actions, 4 audit stages
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT s.correlation_id::text, (s.state = 'planned')::int,
                       (SELECT count(*) FROM plan p WHERE p.signal_id = s.id),
                       (SELECT count(*) FROM action a WHERE a.correlation_id = s.correlation_id
                                                        AND a.state IN ('succeeded', 'already-done')),
                       (SELECT count(*) FROM action a WHERE a.correlation_id = s.correlation_id)
                FROM signal s""")) {
            while (rs.next()) {
                stored.put(rs.getString(1), new int[]{rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), 0, 0, 0, 0});
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT correlation_id::text,
                       count(*) FILTER (WHERE stage = 'signal-accepted'),
                       count(*) FILTER (WHERE stage = 'plan'),
                       count(*) FILTER (WHERE stage = 'action-intent'),
                       count(*) FILTER (WHERE stage = 'action-outcome')
                FROM audit_event WHERE correlation_id IS NOT NULL GROUP BY correlation_id""")) {
            while (rs.next()) {
                int[] row = stored.get(rs.getString(1));
                if (row != null) {
                    for (int k = 0; k < 4; k++) {
                        row[4 + k] = rs.getInt(2 + k);
                    }
                }
            }
        }
        List<String> problems = new ArrayList<>();
        long missingSignal = 0;
        long missingPlan = 0;
        long missingOutcome = 0;
        long auditIncomplete = 0;
        for (String id : accepted) {
            int[] r = stored.get(id);
            if (r == null) {
                missingSignal++;
                note(problems, "accepted " + id + " has no signal row");
                continue;
            }
            if (r[0] != 1 || r[1] != 1) {
                missingPlan++;
                note(problems, id + ": signal planned=" + r[0] + ", plans=" + r[1]);
            }
            if (r[2] != 1 || r[3] != 1) {
                missingOutcome++;
                note(problems, id + ": finished actions=" + r[2] + " of " + r[3]);
            }
            if (r[4] != 1 || r[5] != 1 || r[6] != 1 || r[7] != 1) {
                auditIncomplete++;
                note(problems, id + ": audit accepted/plan/intent/outcome=" + r[4] + "/" + r[5] + "/" + r[6] + "/" + r[7]);
            }
        }
        long unknown = stored.keySet().stream().filter(id -> !accepted.contains(id)).count();
        if (unknown > 0) {
            note(problems, unknown + " stored signals were never acknowledged to the bench");
        }
        long open = count("SELECT count(*) FROM action WHERE state IN ('pending', 'in-flight')");
        long failed = count("SELECT count(*) FROM action WHERE state NOT IN ('succeeded', 'already-done', 'pending', 'in-flight')");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted_by_hub", accepted.size());
        m.put("signal_rows", stored.size());
        m.put("missing_signal_row", missingSignal);
        m.put("missing_or_double_plan", missingPlan);
        m.put("missing_or_double_outcome", missingOutcome);
        m.put("incomplete_audit_story", auditIncomplete);
        m.put("stored_but_not_acknowledged", unknown);
        m.put("actions_left_open", open);
        m.put("actions_failed_or_refused", failed);
        m.put("ok", missingSignal == 0 && missingPlan == 0 && missingOutcome == 0 && auditIncomplete == 0 && unknown == 0
                && open == 0 && failed == 0 && accepted.size() == stored.size());
        m.put("problems", problems);
        return m;
    }

    private static void note(List<String> problems, String p) {
        if (problems.size() < 10) {
            problems.add(p);
        }
    }

    /**
     * Where a phase's time went, from the hub's own timestamps: each stage's throughput (rows / span of their
     * timestamps) and the per-signal waits between stages. The slowest stage, with the stages before it faster and
     * queues building in front of it, bounds the pipeline.
     */
    Map<String, Object> stages(String runId, String phase) throws SQLException {
        String like = runId + "-" + phase + "-%";
        Map<String, Object> m = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH t AS (
                  SELECT s.received_at AS accepted, p.created_at AS planned, ai.at AS intent, ao.at AS outcome
                  FROM signal s
                  JOIN plan p ON p.signal_id = s.id
                  JOIN action a ON a.plan_id = p.id
                  JOIN audit_event ai ON ai.correlation_id = s.correlation_id AND ai.stage = 'action-intent'
                  JOIN audit_event ao ON ao.correlation_id = s.correlation_id AND ao.stage = 'action-outcome'
                  WHERE s.source_instance = 'bench' AND s.dedupe_key LIKE ?)
                SELECT count(*),
                  extract(epoch FROM max(accepted) - min(accepted)), extract(epoch FROM max(planned) - min(planned)),
                  extract(epoch FROM max(intent) - min(intent)), extract(epoch FROM max(outcome) - min(outcome)),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM planned - accepted)),
                  percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM planned - accepted)),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM intent - planned)),
                  percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM intent - planned)),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM outcome - intent)),
                  percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM outcome - intent)),
                  extract(epoch FROM max(planned) - min(accepted)), extract(epoch FROM max(outcome) - min(accepted))
                FROM t""")) {
            ps.setString(1, like);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                m.put("signals", n);
                m.put("accept_per_s", rate(n, rs.getDouble(2)));
                m.put("plan_per_s", rate(n, rs.getDouble(3)));
                m.put("intent_per_s", rate(n, rs.getDouble(4)));
                m.put("outcome_per_s", rate(n, rs.getDouble(5)));
                m.put("accept_to_plan_ms_p50", ms(rs.getDouble(6)));
                m.put("accept_to_plan_ms_p99", ms(rs.getDouble(7)));
                m.put("plan_to_intent_ms_p50", ms(rs.getDouble(8)));
                m.put("plan_to_intent_ms_p99", ms(rs.getDouble(9)));
                m.put("intent_to_outcome_ms_p50", ms(rs.getDouble(10)));
                m.put("intent_to_outcome_ms_p99", ms(rs.getDouble(11)));
                m.put("last_plan_after_first_accept_s", ProcSampler.round(rs.getDouble(12), 2));
                m.put("last_outcome_after_first_accept_s", ProcSampler.round(rs.getDouble(13), 2));
            }
        }
        return m;
    }

    /** Plans and outcomes per second over the phase, from the store's timestamps (for the plot). */
    Map<String, long[]> perSecond(String runId, String phase, int seconds) throws SQLException {
        Map<String, long[]> out = new LinkedHashMap<>();
        String like = runId + "-" + phase + "-%";
        String[][] series = {
                {"accepted", "SELECT s.received_at AS x FROM signal s WHERE s.dedupe_key LIKE ?"},
                {"planned", "SELECT p.created_at AS x FROM plan p JOIN signal s ON s.id = p.signal_id WHERE s.dedupe_key LIKE ?"},
                {"outcome", "SELECT a.updated_at AS x FROM action a JOIN plan p ON p.id = a.plan_id JOIN signal s ON s.id = p.signal_id "
                        + "WHERE s.dedupe_key LIKE ? AND a.state IN ('succeeded', 'already-done')"},
        };
        double t0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT extract(epoch FROM min(received_at)) FROM signal WHERE dedupe_key LIKE ?")) {
            ps.setString(1, like);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                t0 = rs.getDouble(1);
            }
        }
        for (String[] s : series) {
            long[] bins = new long[seconds];
            try (PreparedStatement ps = c.prepareStatement("SELECT floor(extract(epoch FROM x) - ?)::int, count(*) FROM ("
                    + s[1] + ") q GROUP BY 1")) {
                ps.setDouble(1, t0);
                ps.setString(2, like);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int b = rs.getInt(1);
                        if (b >= 0 && b < seconds) {
                            bins[b] += rs.getLong(2);
                        }
                    }
                }
            }
            out.put(s[0], bins);
        }
        return out;
    }

    private static double rate(long n, double seconds) {
        return seconds <= 0 ? 0 : ProcSampler.round(n / seconds, 1);
    }

    private static double ms(double seconds) {
        return ProcSampler.round(seconds * 1000, 2);
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
