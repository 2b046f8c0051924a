package io.irhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor the hub is compared with: a hand-written program, no framework, doing the durable work of one signal
 * with plain JDBC (HikariCP) and the JDK HttpClient, {@code concurrency} workers at once.
 *
 * <p>{@code single-commit} (the issue's baseline): INSERT the signal, INSERT the intent audit row, call the target's
 * suspend, INSERT the outcome audit row, COMMIT. {@code per-step}: the hub's commit points without planning —
 * commit the signal with its accepted audit row, commit the intent, call, commit the outcome (three commits).
 *
 * <p>Prints one line {@code BASELINE {json}}. Run alone:
 * {@code java -cp 'bench/target/irhub-bench.jar:bench/target/lib/*' io.irhub.bench.Baseline --jdbc URL --user U
 * --target http://127.0.0.1:PORT --signals 50000 --identities 5000 --concurrency 8 --mode single-commit}
 */
public final class Baseline {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String jdbc = a.get("jdbc");
        String user = a.getOrDefault("user", "postgres");
        String target = a.get("target");
        int signals = Integer.parseInt(a.getOrDefault("signals", "50000"));
        int identities = Integer.parseInt(a.getOrDefault("identities", "5000"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "8"));
        String mode = a.getOrDefault("mode", "single-commit");
        String phase = a.getOrDefault("phase", "base");
        String runId = a.getOrDefault("run-id", "run");
        boolean perStep = mode.equals("per-step");
        long maxNanos = (long) (Double.parseDouble(a.getOrDefault("max-seconds", "0")) * 1e9);

        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbc);
        hc.setUsername(user);
        hc.setMaximumPoolSize(concurrency);
        hc.setPoolName("baseline");
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("""
                        CREATE TABLE IF NOT EXISTS signal (
                          id uuid PRIMARY KEY, dedupe_key text NOT NULL UNIQUE, identity text NOT NULL,
                          raw_payload text NOT NULL, received_at timestamptz NOT NULL)""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS audit (
                          id bigserial PRIMARY KEY, at timestamptz NOT NULL, correlation_id uuid NOT NULL,
                          stage text NOT NULL, identity text, outcome text NOT NULL, details jsonb NOT NULL)""");
            }
            String[] bodies = new String[signals];
            for (int i = 0; i < signals; i++) {
                bodies[i] = Signals.signal(runId, phase, i, Signals.login(phase, i % identities));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            AtomicInteger next = new AtomicInteger();
            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            long stopAt = maxNanos > 0 ? start + maxNanos : Long.MAX_VALUE;
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                Thread t = new Thread(() -> {
                    int i;
                    while (System.nanoTime() < stopAt && (i = next.getAndIncrement()) < signals) {
                        try {
                            if (perStep) {
                                perStep(ds, http, target, bodies[i]);
                            } else {
                                singleCommit(ds, http, target, bodies[i]);
                            }
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            if (errors.size() < 5) {
                                errors.add(e.toString());
                            }
                        }
                    }
                }, "baseline-" + w);
                t.start();
                workers.add(t);
            }
            for (Thread t : workers) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("mode", mode);
            out.put("signals", signals);
            out.put("time_limited", ok.get() + failed.get() < signals);
            out.put("concurrency", concurrency);
            out.put("succeeded", ok.get());
            out.put("failed", failed.get());
            out.put("seconds", Math.round(seconds * 100) / 100.0);
            out.put("per_second", Math.round(ok.get() / seconds * 10) / 10.0);
            try (Connection c = ds.getConnection()) {
                // counts of this run only (the database is shared by both modes; each has its own phase prefix)
                out.put("signal_rows", Db.count(c, "SELECT count(*) FROM signal WHERE dedupe_key LIKE '" + runId + "-" + phase + "-%'"));
                out.put("audit_rows", Db.count(c, "SELECT count(*) FROM audit a JOIN signal s ON s.id = a.correlation_id "
                        + "WHERE s.dedupe_key LIKE '" + runId + "-" + phase + "-%'"));
            }
            out.put("errors", errors);
            System.out.println("BASELINE " + JSON.writeValueAsString(out));
        }
    }

    private record Parsed(String dedupeKey, String login) {
    }

    private static Parsed parse(String body) throws Exception {
        JsonNode n = JSON.readTree(body);
        return new Parsed(n.path("id").asText(), n.path("identities").path(0).path("login").asText());
    }

    private static void singleCommit(HikariDataSource ds, HttpClient http, String target, String body) throws Exception {
        Parsed p = parse(body);
        UUID id = UUID.randomUUID();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                insertSignal(c, id, p, body);
                audit(c, id, "action-intent", p.login, "intent", "{\"verb\":\"suspend\",\"target\":\"okta\"}");
                int status = suspend(http, target, p.login);
                audit(c, id, "action-outcome", p.login, status == 200 ? "succeeded" : "failed",
                        "{\"verb\":\"suspend\",\"http_status\":" + status + "}");
                c.commit();
                if (status != 200) {
                    throw new IllegalStateException("suspend answered " + status);
                }
            } catch (Exception e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void perStep(HikariDataSource ds, HttpClient http, String target, String body) throws Exception {
        Parsed p = parse(body);
        UUID id = UUID.randomUUID();
        inTransaction(ds, c -> {
            insertSignal(c, id, p, body);
            audit(c, id, "signal-accepted", p.login, "accepted", "{}");
        });
        inTransaction(ds, c -> audit(c, id, "action-intent", p.login, "intent", "{\"verb\":\"suspend\",\"target\":\"okta\"}"));
        int status = suspend(http, target, p.login);
        inTransaction(ds, c -> audit(c, id, "action-outcome", p.login, status == 200 ? "succeeded" : "failed",
                "{\"verb\":\"suspend\",\"http_status\":" + status + "}"));
        if (status != 200) {
            throw new IllegalStateException("suspend answered " + status);
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private static void inTransaction(HikariDataSource ds, Work work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void insertSignal(Connection c, UUID id, Parsed p, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO signal (id, dedupe_key, identity, raw_payload, received_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, p.dedupeKey);
            ps.setString(3, p.login);
            ps.setString(4, body);
            ps.setObject(5, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static void audit(Connection c, UUID correlation, String stage, String identity, String outcome, String details)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit (at, correlation_id, stage, identity, outcome, details) VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setObject(2, correlation);
            ps.setString(3, stage);
            ps.setString(4, identity);
            ps.setString(5, outcome);
            ps.setString(6, details);
            ps.executeUpdate();
        }
    }

    private static int suspend(HttpClient http, String target, String login) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(target + "/api/v1/users/" + Signals.oktaId(login) + "/lifecycle/suspend"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + OktaStandIn.MANAGE_TOKEN)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
