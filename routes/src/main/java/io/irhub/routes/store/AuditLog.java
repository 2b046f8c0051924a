package io.irhub.routes.store;

import io.irhub.connector.api.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes audit rows and keeps their hash chain.
 *
 * <p>A row is inserted inside the transaction of the change it describes, so a change and its evidence commit
 * together or not at all. Hashing is done afterwards by {@link #chainPending}, one chainer at a time (the head row is
 * locked with {@code SKIP LOCKED}, so with several replicas exactly one chains while the others skip). Chaining
 * after commit keeps the hot path free of a global lock; the price is that a row is unchained for a moment after it
 * is written, which {@link #verify} reports as pending rather than as valid.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final DataSource dataSource;
    private final java.util.function.Consumer<java.time.Duration> lag;

    public AuditLog(DataSource dataSource) {
        this(dataSource, d -> { });
    }

    /** @param lag told, after each chained batch, how long its oldest row had waited to be chained */
    public AuditLog(DataSource dataSource, java.util.function.Consumer<java.time.Duration> lag) {
        this.dataSource = dataSource;
        this.lag = lag;
    }

    /** Appends in the caller's transaction. */
    public static void append(Connection c, AuditEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO audit_event (at, correlation_id, stage, actor, connector_instance, identity, outcome, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
            ps.setObject(1, OffsetDateTime.ofInstant(e.at().truncatedTo(ChronoUnit.MICROS), java.time.ZoneOffset.UTC));
            ps.setObject(2, e.correlationId());
            ps.setString(3, e.stage().wireName());
            ps.setString(4, e.actor());
            ps.setString(5, e.connectorInstance());
            ps.setString(6, e.identity());
            ps.setString(7, e.outcome());
            ps.setString(8, Json.write(e.details()));
            ps.executeUpdate();
        }
    }

    /** Appends in a transaction of its own (events that go with no other change: refused requests). */
    public void append(AuditEvent e) {
        Database.inTransaction(dataSource, c -> {
            append(c, e);
            return null;
        });
    }

    /**
     * Chains up to {@code max} unchained rows in id order.
     *
     * @return how many rows were chained; 0 when none were waiting or another chainer holds the head
     */
    public int chainPending(int max) {
        return Database.inTransaction(dataSource, c -> {
            long seq;
            String prev;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chain_seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE SKIP LOCKED");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                seq = rs.getLong(1);
                prev = rs.getString(2);
            }
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, at, correlation_id::text, stage, actor, connector_instance, identity, outcome, details::text
                    FROM audit_event WHERE chain_seq IS NULL ORDER BY id LIMIT ?""")) {
                ps.setInt(1, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Row.read(rs));
                    }
                }
            }
            if (rows.isEmpty()) {
                return 0;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE audit_event SET chain_seq = ?, prev_hash = ?, hash = ? WHERE id = ?")) {
                for (Row r : rows) {
                    seq++;
                    String hash = r.hash(prev, seq);
                    ps.setLong(1, seq);
                    ps.setString(2, prev);
                    ps.setString(3, hash);
                    ps.setLong(4, r.id);
                    ps.addBatch();
                    prev = hash;
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE audit_chain_head SET chain_seq = ?, hash = ? WHERE id = 1")) {
                ps.setLong(1, seq);
                ps.setString(2, prev);
                ps.executeUpdate();
            }
            lag.accept(java.time.Duration.between(rows.get(0).at(), Instant.now()));
            LOG.debug("chained {} audit rows up to chain_seq {}", rows.size(), seq);
            return rows.size();
        });
    }

    /**
     * Publishes chained rows not yet published, in chain order, with the fields the hash covers (as an export
     * line), then records how far it got. One replica at a time (the feed row is locked, {@code SKIP LOCKED});
     * at least once: a crash before the record republishes the same rows, which a reader drops by {@code chain_seq}.
     *
     * @return how many rows were published
     */
    public int publishPending(int max, java.util.function.Consumer<String> publisher) {
        return Database.inTransaction(dataSource, c -> {
            long published;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT published_seq FROM audit_feed WHERE id = 1 FOR UPDATE SKIP LOCKED");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                published = rs.getLong(1);
            }
            long last = published;
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, at, correlation_id::text, stage, actor, connector_instance, identity, outcome, details::text,"
                            + " chain_seq, prev_hash, hash FROM audit_event WHERE chain_seq > ? ORDER BY chain_seq LIMIT ?")) {
                ps.setLong(1, published);
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = Row.read(rs);
                        last = rs.getLong(10);
                        publisher.accept(Json.write(r.exported(last, rs.getString(11), rs.getString(12))));
                        n++;
                    }
                }
            }
            if (n > 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE audit_feed SET published_seq = ?, updated_at = now() WHERE id = 1")) {
                    ps.setLong(1, last);
                    ps.executeUpdate();
                }
            }
            return n;
        });
    }

    /** Chains until nothing is waiting. */
    public void chainAll() {
        while (chainPending(1000) > 0) {
            // keep going: a large backlog is chained a thousand rows per transaction
        }
    }

    /** Walks the whole chain and reports the first break. Reads only. */
    public AuditVerification verify() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return verify(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static AuditVerification verify(Connection c) throws SQLException {
        long headSeq;
        String headHash;
        try (PreparedStatement ps = c.prepareStatement("SELECT chain_seq, hash FROM audit_chain_head WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return AuditVerification.broken(0, 0, "the chain head row is missing");
            }
            headSeq = rs.getLong(1);
            headHash = rs.getString(2);
        }
        long pending;
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_event WHERE chain_seq IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            pending = rs.getLong(1);
        }
        long expectedSeq = 0;
        String prev = AuditHash.GENESIS;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, at, correlation_id::text, stage, actor, connector_instance, identity, outcome, details::text,
                       chain_seq, prev_hash, hash
                FROM audit_event WHERE chain_seq IS NOT NULL ORDER BY chain_seq""")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row r = Row.read(rs);
                    long seq = rs.getLong(10);
                    expectedSeq++;
                    if (seq != expectedSeq) {
                        return AuditVerification.broken(expectedSeq - 1, pending, "chain_seq " + expectedSeq
                                + " is missing (found " + seq + " next): a row was deleted");
                    }
                    if (!prev.equals(rs.getString(11))) {
                        return AuditVerification.broken(expectedSeq - 1, pending, "row id " + r.id + " (chain_seq " + seq
                                + ") does not point at the previous row's hash: rows were removed or reordered");
                    }
                    String hash = r.hash(prev, seq);
                    if (!hash.equals(rs.getString(12))) {
                        return AuditVerification.broken(expectedSeq - 1, pending, "row id " + r.id + " (chain_seq " + seq
                                + ") does not match its hash: the row was edited");
                    }
                    prev = hash;
                }
            }
        }
        if (expectedSeq != headSeq || !prev.equals(headHash)) {
            return AuditVerification.broken(expectedSeq, pending, "the chain ends at chain_seq " + expectedSeq
                    + " but its head records " + headSeq + ": rows were deleted from the end");
        }
        return AuditVerification.ok(expectedSeq, pending);
    }

    private record Row(long id, Instant at, String correlationId, String stage, String actor, String connector,
                       String identity, String outcome, String details) {
        static Row read(ResultSet rs) throws SQLException {
            Timestamp at = rs.getTimestamp(2);
            return new Row(rs.getLong(1), at.toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
        }

        java.util.Map<String, Object> exported(long seq, String prev, String hash) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("chain_seq", seq);
            m.put("id", id);
            m.put("at", at.toString());
            m.put("correlation_id", correlationId);
            m.put("stage", stage);
            m.put("actor", actor);
            m.put("connector_instance", connector);
            m.put("identity", identity);
            m.put("outcome", outcome);
            m.put("details", details);
            m.put("prev_hash", prev);
            m.put("hash", hash);
            return m;
        }

        String hash(String prev, long seq) {
            return AuditHash.of(prev, seq, id, at, correlationId, stage, actor, connector, identity, outcome, details);
        }
    }
}
