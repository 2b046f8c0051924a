package io.irhub.routes;

import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.PollResult;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Signal;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the pull side of sources. A poll holds its instance's checkpoint row locked ({@code SKIP LOCKED}: another
 * replica already polling makes this one skip), stores every signal it fetched (durable accept, dedupe as for a
 * delivery), and only then moves the checkpoint, in the same transaction that releases the lock; a crash repeats the
 * poll and dedupe absorbs the repeat. A failed poll is audited and the instance backs off (the vendor's
 * {@code Retry-After} when it gave one, else doubling from the interval up to 15 minutes).
 */
public final class Polling {
    private static final Logger LOG = LoggerFactory.getLogger(Polling.class);
    private static final int MAX_PAGES_PER_TICK = 20;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(15);

    private final DataSource dataSource;
    private final PipelineStore store;
    private final Clock clock;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();

    public Polling(DataSource dataSource, PipelineStore store, Clock clock) {
        this.dataSource = dataSource;
        this.store = store;
        this.clock = clock;
    }

    /** @return the signals this tick accepted (not the duplicates) */
    public List<PipelineStore.Accepted> tick(String instance, Poller poller) {
        Instant now = clock.instant();
        if (now.isBefore(notBefore.getOrDefault(instance, Instant.MIN))) {
            return List.of();
        }
        List<PipelineStore.Accepted> fresh = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            ensureRow(c, instance, now);
            c.setAutoCommit(false);
            try {
                String[] checkpoint = new String[1];
                if (!lock(c, instance, checkpoint)) {
                    c.rollback();
                    return List.of();
                }
                int failures = 0;
                String error = null;
                for (int page = 0; page < MAX_PAGES_PER_TICK; page++) {
                    PollResult result;
                    try {
                        result = poller.poll(checkpoint[0]);
                    } catch (PollException e) {
                        failures = failures(c, instance) + 1;
                        error = e.getMessage();
                        Duration wait = e.retryAfter().orElse(backoff(poller.interval(), failures));
                        notBefore.put(instance, clock.instant().plus(wait));
                        LOG.warn("poll of {} failed ({} in a row), next try in {}: {}", instance, failures, wait, error);
                        AuditLog.append(c, new AuditEvent(clock.instant(), null, AuditEvent.Stage.SOURCE_POLL, "poller",
                                instance, null, "failed", Map.of("reason", error, "failures", failures,
                                "retry_in_seconds", wait.toSeconds())));
                        break;
                    }
                    for (Signal s : result.signals()) {
                        PipelineStore.Accepted a = store.accept(s);
                        if (!a.duplicate()) {
                            fresh.add(a);
                        }
                    }
                    checkpoint[0] = result.nextCheckpoint();
                    failures = 0;
                    notBefore.remove(instance);
                    if (!result.more()) {
                        break;
                    }
                }
                save(c, instance, checkpoint[0], failures, error);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return fresh;
    }

    private static Duration backoff(Duration interval, int failures) {
        Duration d = interval.multipliedBy(1L << Math.min(failures, 10));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private static void ensureRow(Connection c, String instance, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO source_checkpoint (source_instance, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, instance);
            ps.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static boolean lock(Connection c, String instance, String[] checkpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT checkpoint FROM source_checkpoint WHERE source_instance = ? FOR UPDATE SKIP LOCKED")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                checkpoint[0] = rs.getString(1);
                return true;
            }
        }
    }

    private static int failures(Connection c, String instance) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT failures FROM source_checkpoint WHERE source_instance = ?")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private void save(Connection c, String instance, String checkpoint, int failures, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE source_checkpoint SET checkpoint = ?, failures = ?, last_error = ?, updated_at = ?
                WHERE source_instance = ?""")) {
            ps.setString(1, checkpoint);
            ps.setInt(2, failures);
            ps.setString(3, error);
            ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.setString(5, instance);
            ps.executeUpdate();
        }
    }
}
