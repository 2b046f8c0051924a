package io.irhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** The two ways of firing a storm at the webhook intake. */
final class Load {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI hook;
    private final String token;
    private final HttpClient http;
    private final ExecutorService clientExecutor;

    Load(String hookUrl, String token) {
        this.hook = URI.create(hookUrl);
        this.token = token;
        this.clientExecutor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "load-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(clientExecutor).build();
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(hook).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * Open loop: signal i is due at start + i / rate whatever happened to the ones before it; every latency is taken
     * from the due time (no coordinated omission). Deliveries in flight are capped at {@code maxInFlight}; when the
     * cap is reached the schedule falls behind, which the latencies (from the due times) show, and it is counted.
     */
    void fixedRate(PhaseRun run, double perSecond, int maxInFlight) throws InterruptedException {
        run.latencyFromSchedule = true;
        Semaphore inFlight = new Semaphore(maxInFlight);
        long period = (long) (1e9 / perSecond);
        long start = System.nanoTime() + 20_000_000L;
        run.startNanos = start;
        Progress progress = new Progress(run);
        for (int i = 0; i < run.signals; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            run.expect(i, due);
            if (!inFlight.tryAcquire()) {
                run.senderStalls.incrementAndGet();
                inFlight.acquire();
            }
            final int n = i;
            http.sendAsync(request(run.bodies[i]), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        long now = System.nanoTime();
                        inFlight.release();
                        handle(run, n, n + 1, response, error, now);
                    });
            run.lastSendNanos = System.nanoTime();
            progress.maybePrint();
        }
        inFlight.acquire(maxInFlight);
        inFlight.release(maxInFlight);
    }

    /**
     * Closed loop: {@code senders} threads post deliveries of {@code batch} signals back to back until the phase's
     * signals are used up.
     */
    void fullSpeed(PhaseRun run, int senders, int batch) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        run.startNanos = System.nanoTime();
        Progress progress = new Progress(run);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Thread t = new Thread(() -> {
                int from;
                while ((from = next.getAndAdd(batch)) < run.signals) {
                    int to = Math.min(run.signals, from + batch);
                    long sent = System.nanoTime();
                    for (int i = from; i < to; i++) {
                        run.expect(i, sent);
                    }
                    HttpResponse<String> response = null;
                    Throwable error = null;
                    try {
                        response = http.send(request(Signals.batch(run.bodies, from, to)), HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        error = e;
                    }
                    handle(run, from, to, response, error, System.nanoTime());
                    run.lastSendNanos = System.nanoTime();
                    if (Thread.currentThread().getName().endsWith("-0")) {
                        progress.maybePrint();
                    }
                }
            }, "sender-" + s);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void handle(PhaseRun run, int from, int to, HttpResponse<String> response, Throwable error, long now) {
        if (error != null || response == null) {
            run.errorCount.addAndGet(to - from);
            if (run.errors.size() < 5) {
                run.errors.add(String.valueOf(error));
            }
            for (int i = from; i < to; i++) {
                run.forget(i);
            }
            return;
        }
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            run.refusedCount.addAndGet(to - from);
            if (run.errors.size() < 5) {
                run.errors.add("HTTP " + response.statusCode() + ": " + response.body());
            }
            for (int i = from; i < to; i++) {
                run.forget(i);
            }
            return;
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            JsonNode ids = body.path("accepted");
            for (JsonNode id : ids) {
                run.correlationIds.add(id.asText());
            }
            run.acceptedCount.addAndGet(ids.size());
            run.duplicateCount.addAndGet(body.path("duplicates").size());
            if (ids.size() == to - from) {
                for (int i = from; i < to; i++) {
                    run.accepted(i, now);
                }
            }
        } catch (Exception e) {
            run.errorCount.addAndGet(to - from);
            run.errors.add("unreadable answer: " + e.getMessage());
        }
    }

    /** Waits until every accepted signal's suspend was answered, or the deadline. */
    static boolean awaitConfirmations(PhaseRun run, Duration timeout) {
        Progress progress = new Progress(run);
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        progress.maybePrint();
                        return run.confirmedCount.get() >= run.expectedConfirmations();
                    });
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    void close() {
        clientExecutor.shutdownNow();
        try {
            clientExecutor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A line every 5 s while a phase runs. */
    static final class Progress {
        private final PhaseRun run;
        private long last = System.nanoTime();

        Progress(PhaseRun run) {
            this.run = run;
        }

        synchronized void maybePrint() {
            long now = System.nanoTime();
            if (now - last >= 5_000_000_000L) {
                last = now;
                System.out.printf("[bench] %-10s t=%5.1fs accepted %d/%d, suspends confirmed %d%n", run.name,
                        (now - run.startNanos) / 1e9, run.acceptedCount.get(), run.signals, run.confirmedCount.get());
            }
        }
    }
}
