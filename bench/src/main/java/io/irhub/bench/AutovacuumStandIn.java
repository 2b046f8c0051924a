package io.irhub.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What autovacuum does for the hub's tables, for a server that runs with {@code autovacuum = off} (this project's
 * machine server does). Every {@code naptime} it applies autovacuum's default thresholds: ANALYZE a table once more
 * than 50 + 10 % of its rows changed since the last analyze, VACUUM it once its dead rows exceed 50 + 20 %.
 *
 * <p>Why it matters: without statistics PostgreSQL keeps the generic plans it made for the hub's prepared statements
 * while the tables were empty. Planning's {@code SELECT … FROM signal WHERE correlation_id = ? AND state = 'accepted'
 * FOR UPDATE} then walks the partial index {@code signal_unplanned} (every unplanned signal) instead of the unique
 * index on {@code correlation_id}, so each plan costs O(backlog) and a storm slows down quadratically.
 */
final class AutovacuumStandIn implements AutoCloseable {
    private final java.util.concurrent.ScheduledExecutorService naps =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "autovacuum-stand-in");
                t.setDaemon(true);
                return t;
            });
    private final Connection connection;
    final AtomicInteger analyzes = new AtomicInteger();
    final AtomicInteger vacuums = new AtomicInteger();

    /** One pass every {@code naptimeMillis}, like autovacuum's launcher; a failing pass stops the stand-in. */
    AutovacuumStandIn(Db db, String database, long naptimeMillis) throws SQLException {
        connection = db.connect(database);
        naps.scheduleWithFixedDelay(() -> {
            try {
                pass(connection);
            } catch (SQLException e) {
                System.out.println("[bench] autovacuum stand-in stopped: " + e.getMessage());
                naps.shutdown();
            }
        }, naptimeMillis, naptimeMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static boolean serverAutovacuumOff(Db db, String database) {
        try (Connection c = db.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW autovacuum")) {
            rs.next();
            return rs.getString(1).equals("off");
        } catch (SQLException e) {
            return false;
        }
    }

    private void pass(Connection c) throws SQLException {
        List<String> analyze = new ArrayList<>();
        List<String> vacuum = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze FROM pg_stat_user_tables""")) {
            while (rs.next()) {
                long live = rs.getLong(2);
                if (rs.getLong(4) > 50 + 0.1 * live) {
                    analyze.add(rs.getString(1));
                }
                if (rs.getLong(3) > 50 + 0.2 * live) {
                    vacuum.add(rs.getString(1));
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (String t : vacuum) {
                if (naps.isShutdown()) {
                    return;
                }
                s.execute("VACUUM " + (analyze.remove(t) ? "(ANALYZE) " : "") + "\"" + t + "\"");
                vacuums.incrementAndGet();
            }
            for (String t : analyze) {
                if (naps.isShutdown()) {
                    return;
                }
                s.execute("ANALYZE \"" + t + "\"");
                analyzes.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        naps.shutdownNow();
        try {
            naps.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            // closing: nothing to keep
        }
    }
}
