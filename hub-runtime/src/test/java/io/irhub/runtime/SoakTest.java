package io.irhub.runtime;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * A short soak: alerts at a fixed rate for a minute and a half, each to a user of its own (lookup, suspend, clear
 * sessions on the Okta stand-in). The hub must not grow its heap (used heap after a forced GC, from the management
 * port's Prometheus metrics, first third of the run against the last) nor slow down (p99 latencies, first third
 * against the last), and must lose nothing. Latencies are taken from each send's scheduled time, so a stalled hub
 * shows as latency rather than as fewer requests (no coordinated omission).
 */
class SoakTest {
    static final int RATE_PER_SECOND = 50;
    /**
     * Sent at the same rate before the measured run, which starts once the hub has caught up with them: a cold hub
     * (JIT, pools, first token) falls seconds behind at first, which is no growth and should not be the baseline.
     */
    static final int WARMUP_SECONDS = 5;
    static final int SECONDS = 90;
    static final int WARMUP = RATE_PER_SECOND * WARMUP_SECONDS;
    static final int SIGNALS = WARMUP + RATE_PER_SECOND * SECONDS;
    static final int MEASURED = SIGNALS - WARMUP;
    static final long PERIOD_NANOS = 1_000_000_000L / RATE_PER_SECOND;
    static final Duration HEAP_EVERY = Duration.ofSeconds(5);
    static final long HEAP_SLACK_BYTES = 16L << 20;
    static final long LATENCY_FLOOR_MS = 500;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** A heap reading: seconds into the measured run, used heap bytes right after a full GC. */
    record HeapSample(double at, long usedBytes) {
    }

    @Test
    void aSteadyRateForNinetySecondsKeepsHeapFlatLatencyLevelAndLosesNothing() throws Exception {
        long testStart = System.nanoTime();
        HubFixture fixture = new HubFixture(OktaStandIn.stateful());
        try (HubProcess hub = fixture.hub(HubFixture.workDir("soak"))) {
            hub.start();
            String run = Long.toString(System.currentTimeMillis(), 36);
            Sends sends = new Sends(hub, run);
            ConcurrentLinkedQueue<String> errors = sends.errors;
            List<HeapSample> heap = java.util.Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
            long start;
            try {
                // warm-up: the cold hub (JIT, pools, first token) falls behind for a few seconds; let it catch up
                ScheduledFuture<?> warming = sends.atRate(scheduler, 0, WARMUP);
                await("warm-up sends answered").atMost(Duration.ofSeconds(WARMUP_SECONDS + 20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> sends.answered.get() == WARMUP);
                warming.cancel(false);
                await("warm-up acted on").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> fixture.count("SELECT count(*) FROM action WHERE state IN ('succeeded', 'already-done')") == 2L * WARMUP);

                start = System.nanoTime();
                ScheduledFuture<?> sending = sends.atRate(scheduler, WARMUP, SIGNALS);
                long measuredFrom = start;
                ScheduledFuture<?> sampling = scheduler.scheduleAtFixedRate(() -> {
                    try {
                        long used = heapAfterGc(hub);
                        heap.add(new HeapSample((System.nanoTime() - measuredFrom) / 1e9, used));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();   // the run is over
                    } catch (Exception e) {
                        errors.add("heap sample: " + e);
                    }
                }, HEAP_EVERY.toMillis(), HEAP_EVERY.toMillis(), TimeUnit.MILLISECONDS);

                await("every send answered").atMost(Duration.ofSeconds(SECONDS + 20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> sends.answered.get() == SIGNALS);
                sending.cancel(false);
                sampling.cancel(false);
            } finally {
                scheduler.shutdownNow();
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            int[] status = sends.status;
            long accepted = Arrays.stream(status).filter(s -> s / 100 == 2).count();
            await("every accepted signal acted on").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                    fixture.count("SELECT count(*) FROM signal WHERE state <> 'planned'") == 0
                            && fixture.count("SELECT count(*) FROM action WHERE state IN ('pending', 'in-flight')") == 0
                            && fixture.count("SELECT count(*) FROM action") == 2 * accepted);

            // per signal: when the hub accepted it and when its last action's outcome was recorded (hub clock, µs)
            Map<Integer, long[]> bySend = new HashMap<>();
            try (Connection c = DriverManager.getConnection(fixture.jdbcUrl, "postgres", null);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                         SELECT split_part(s.dedupe_key, chr(31), 1),
                                (extract(epoch FROM s.received_at) * 1000000)::bigint,
                                (extract(epoch FROM max(e.at)) * 1000000)::bigint, count(e.id)
                         FROM signal s LEFT JOIN audit_event e ON e.correlation_id = s.correlation_id AND e.stage = 'action-outcome'
                         GROUP BY 1, 2""")) {
                while (rs.next()) {
                    int n = Integer.parseInt(rs.getString(1).substring(rs.getString(1).lastIndexOf('-') + 1));
                    bySend.put(n, new long[]{rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                }
            }

            // thirds of the measured run by schedule, and ten-second slices for the trend
            String[] names = {"first third", "middle third", "last third"};
            double[][] intake = new double[3][];
            double[][] acceptToOutcome = new double[3][];
            double[][] scheduleToOutcome = new double[3][];
            for (int t = 0; t < 3; t++) {
                int from = WARMUP + t * MEASURED / 3;
                int to = WARMUP + (t + 1) * MEASURED / 3;
                intake[t] = intakeLatencies(from, to, sends);
                acceptToOutcome[t] = outcomeLatencies(from, to, bySend, n -> bySend.get(n)[0]);
                scheduleToOutcome[t] = outcomeLatencies(from, to, bySend, n -> sends.dueWallMicros[n]);
            }
            StringBuilder slices = new StringBuilder("[soak] accept->outcome p99 ms, warm-up | each 10 s:");
            for (int from = 0; from < SIGNALS; from = from == 0 ? WARMUP : from + RATE_PER_SECOND * 10) {
                int to = from == 0 ? WARMUP : Math.min(SIGNALS, from + RATE_PER_SECOND * 10);
                slices.append(" %.0f%s".formatted(p99(outcomeLatencies(from, to, bySend, n -> bySend.get(n)[0])),
                        from == 0 ? " |" : ""));
            }
            long[] heapByThird = new long[3];
            for (int t = 0; t < 3; t++) {
                int third = t;
                heapByThird[t] = (long) median(heap.stream().filter(h -> h.at() >= 0
                                && (int) Math.min(2, h.at() / (SECONDS / 3.0)) == third)
                        .mapToDouble(HeapSample::usedBytes).sorted().toArray());
            }

            StringBuilder table = new StringBuilder();
            table.append("[soak] %d signals/s for %d s after %d s of warm-up: %d sent, measured run %.1f s, %d accepted (2xx), %d not; "
                    .formatted(RATE_PER_SECOND, SECONDS, WARMUP_SECONDS, SIGNALS, sendSeconds, accepted, SIGNALS - accepted));
            table.append("total %.1f s%n".formatted((System.nanoTime() - testStart) / 1e9));
            table.append("[soak] %-34s %16s %16s %16s%n".formatted("", names[0], names[1], names[2]));
            row(table, "intake from schedule p50/p99 ms", intake);
            row(table, "accept->outcome p50/p99 ms", acceptToOutcome);
            row(table, "schedule->outcome p50/p99 ms", scheduleToOutcome);
            table.append("[soak] %-34s %16s %16s %16s%n".formatted("heap after GC, median MiB",
                    mib(heapByThird[0]), mib(heapByThird[1]), mib(heapByThird[2])));
            table.append(slices).append('\n');
            table.append("[soak] heap samples after GC (s:MiB) ");
            synchronized (heap) {
                heap.forEach(h -> table.append("%.0f:%s ".formatted(h.at(), mib(h.usedBytes()))));
            }
            System.out.println(table);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(errors).as("sends or samples that failed").isEmpty();
            soft.assertThat(accepted).as("signals accepted").isEqualTo(SIGNALS);
            soft.assertThat(bySend.size()).as("accepted signals stored").isEqualTo((int) accepted);
            soft.assertThat(bySend.entrySet().stream().filter(e -> e.getValue()[2] != 2).map(Map.Entry::getKey).sorted().toList())
                    .as("signals without exactly two action outcomes").isEmpty();
            soft.assertThat(fixture.countsBy("SELECT verb || ' ' || state, count(*) FROM action GROUP BY 1"))
                    .as("actions by verb and state")
                    .isEqualTo(Map.of("suspend succeeded", accepted, "clear-sessions succeeded", accepted));
            soft.assertThat(fixture.okta.lifecycle.changes().size()).as("users suspended").isEqualTo((int) accepted);
            soft.assertThat(heap.size()).as("heap samples").isGreaterThanOrEqualTo(SECONDS / (int) HEAP_EVERY.toSeconds() - 2);
            soft.assertThat(heapByThird[2]).as("heap after GC (bytes), median of the last third against the first third x1.5 + 16 MiB")
                    .isLessThanOrEqualTo((long) (heapByThird[0] * 1.5) + HEAP_SLACK_BYTES);
            soft.assertThat(p99(acceptToOutcome[2])).as("accept->outcome p99 of the last third (ms)")
                    .isLessThanOrEqualTo(Math.max(3 * p99(acceptToOutcome[0]), LATENCY_FLOOR_MS));
            soft.assertThat(p99(intake[2])).as("intake p99 of the last third, from schedule (ms)")
                    .isLessThanOrEqualTo(Math.max(3 * p99(intake[0]), LATENCY_FLOOR_MS));
            soft.assertAll();
        } finally {
            fixture.okta.close();
        }
    }

    /** The alerts of one run: when each was due, when its answer came, and what it was. */
    private final class Sends {
        final HubProcess hub;
        final String run;
        final long[] due = new long[SIGNALS];             // System.nanoTime() the send was scheduled for
        final long[] dueWallMicros = new long[SIGNALS];   // the same, as wall-clock µs (to compare with the hub's rows)
        final long[] done = new long[SIGNALS];            // System.nanoTime() the answer arrived
        final int[] status = new int[SIGNALS];            // the HTTP status, -1 for none
        final AtomicLong answered = new AtomicLong();     // written after the arrays: read it first
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        Sends(HubProcess hub, String run) {
            this.hub = hub;
            this.run = run;
        }

        /**
         * Sends {@code from} … {@code to - 1}, one per period from now: send n is due at its own time; a tick that runs
         * late sends what is due at once, and the latency still counts from when it was due.
         */
        ScheduledFuture<?> atRate(ScheduledExecutorService scheduler, int from, int to) {
            long phase = System.nanoTime();
            long wall = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
            for (int n = from; n < to; n++) {
                due[n] = phase + (n - from) * PERIOD_NANOS;
                dueWallMicros[n] = wall + (n - from) * PERIOD_NANOS / 1000;
            }
            AtomicInteger next = new AtomicInteger(from);
            return scheduler.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                int n;
                while ((n = next.get()) < to && due[n] <= now) {
                    next.incrementAndGet();
                    int i = n;
                    http.sendAsync(request(hub, run, i), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        done[i] = System.nanoTime();
                        status[i] = r == null ? -1 : r.statusCode();
                        if (e != null || r.statusCode() / 100 != 2) {
                            errors.add(i + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                        }
                        answered.incrementAndGet();
                    });
                }
            }, 0, PERIOD_NANOS / 4, TimeUnit.NANOSECONDS);
        }
    }

    private static HttpRequest request(HubProcess hub, String run, int n) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HubFixture.splunkAlert("soak-" + run + "-" + n,
                        "Compromised account - soak", "soak" + n + "@example.com", "high"))).build();
    }

    /** Forces a full GC in the hub ({@code jcmd <pid> GC.run}), then reads its used heap from /observe/metrics. */
    private long heapAfterGc(HubProcess hub) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(hub.pid()), "GC.run")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed: " + out);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hub.managementPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        long used = (long) r.body().lines()
                .filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        if (used <= 0) {
            throw new IllegalStateException("no jvm_memory_used_bytes{area=\"heap\"} on /observe/metrics");
        }
        return used;
    }

    /** Send to 2xx answer, from each send's scheduled time (ms), for sends {@code from} (incl.) to {@code to}. */
    private static double[] intakeLatencies(int from, int to, Sends sends) {
        List<Double> out = new ArrayList<>();
        for (int n = from; n < to; n++) {
            if (sends.status[n] / 100 == 2) {
                out.add((sends.done[n] - sends.due[n]) / 1e6);
            }
        }
        return sorted(out);
    }

    /** From {@code since} (µs, per send) to the signal's last action outcome (ms). */
    private static double[] outcomeLatencies(int from, int to, Map<Integer, long[]> bySend,
                                             java.util.function.IntToLongFunction since) {
        List<Double> out = new ArrayList<>();
        for (int n = from; n < to; n++) {
            long[] row = bySend.get(n);
            if (row != null && row[2] > 0) {
                out.add((row[1] - since.applyAsLong(n)) / 1e3);
            }
        }
        return sorted(out);
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double p99(double[] sorted) {
        return percentile(sorted, 0.99);
    }

    private static double median(double[] sorted) {
        return percentile(sorted, 0.5);
    }

    private static void row(StringBuilder table, String name, double[][] thirds) {
        table.append("[soak] %-34s".formatted(name));
        for (double[] t : thirds) {
            table.append(" %16s".formatted("%.0f / %.0f".formatted(percentile(t, 0.5), p99(t))));
        }
        table.append('\n');
    }

    private static String mib(long bytes) {
        return "%.1f".formatted(bytes / 1048576.0);
    }
}
