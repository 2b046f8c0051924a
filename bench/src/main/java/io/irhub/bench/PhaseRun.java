package io.irhub.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One phase of the storm (warm-up, fixed rate, full speed): its signals, when each was (scheduled to be) sent, when
 * the hub accepted it, and when the stand-in answered its identity's suspend.
 *
 * <p>Correlation: signals of one identity are dispatched in order (one partition per identity), so the n-th suspend
 * of a login answers the n-th outstanding signal of that login. Phases use disjoint logins.
 */
final class PhaseRun implements OktaStandIn.SuspendListener {
    final String name;
    final int signals;
    final String[] bodies;
    final String[] logins;
    /** When each signal was due (fixed rate: the schedule; full speed: the moment its delivery was sent), nanoTime. */
    final long[] due;
    final long[] accepted;
    final long[] confirmed;
    /** Latencies in microseconds. */
    final Histogram containment = new Histogram(3_600_000_000L, 3);
    final Histogram acceptance = new Histogram(3_600_000_000L, 3);
    final AtomicLong acceptedCount = new AtomicLong();
    final AtomicLong duplicateCount = new AtomicLong();
    final AtomicLong refusedCount = new AtomicLong();
    final AtomicLong errorCount = new AtomicLong();
    final AtomicLong confirmedCount = new AtomicLong();
    final AtomicLong unmatchedSuspends = new AtomicLong();
    final AtomicLong senderStalls = new AtomicLong();
    final List<String> correlationIds = new CopyOnWriteArrayList<>();
    final List<String> errors = Collections.synchronizedList(new java.util.ArrayList<>());
    private final ConcurrentHashMap<String, ArrayDeque<Integer>> outstanding = new ConcurrentHashMap<>();

    volatile long startNanos;
    volatile long lastSendNanos;
    volatile long lastAcceptNanos;
    volatile long lastConfirmNanos;
    volatile long storeCompleteNanos;
    volatile long chainedNanos;
    volatile boolean latencyFromSchedule;

    PhaseRun(String runId, String name, int signals, int identities) {
        this.name = name;
        this.signals = signals;
        this.bodies = new String[signals];
        this.logins = new String[signals];
        this.due = new long[signals];
        this.accepted = new long[signals];
        this.confirmed = new long[signals];
        Arrays.fill(accepted, -1);
        Arrays.fill(confirmed, -1);
        for (int i = 0; i < signals; i++) {
            logins[i] = Signals.login(name, i % identities);
            bodies[i] = Signals.signal(runId, name, i, logins[i]);
        }
    }

    /** Registers signal {@code i} as on its way (before it is sent). */
    void expect(int i, long dueNanos) {
        due[i] = dueNanos;
        ArrayDeque<Integer> q = outstanding.computeIfAbsent(logins[i], k -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(i);
        }
    }

    /** The hub did not accept signal {@code i}: no suspend will come for it. */
    void forget(int i) {
        ArrayDeque<Integer> q = outstanding.get(logins[i]);
        if (q != null) {
            synchronized (q) {
                q.removeFirstOccurrence(i);
            }
        }
    }

    void accepted(int i, long nanos) {
        accepted[i] = nanos;
        synchronized (acceptance) {
            acceptance.recordValue(Math.max(0, (nanos - due[i]) / 1000));
        }
        lastAcceptNanos = Math.max(lastAcceptNanos, nanos);
    }

    @Override
    public void suspended(String login, long nanos) {
        ArrayDeque<Integer> q = outstanding.get(login);
        Integer i = null;
        if (q != null) {
            synchronized (q) {
                i = q.pollFirst();
            }
        }
        if (i == null) {
            unmatchedSuspends.incrementAndGet();
            return;
        }
        confirmed[i] = nanos;
        synchronized (containment) {
            containment.recordValue(Math.max(0, (nanos - due[i]) / 1000));
        }
        confirmedCount.incrementAndGet();
        lastConfirmNanos = Math.max(lastConfirmNanos, nanos);
    }

    /**
     * Signals accepted but never confirmed by {@code deadline} count with the latency they had reached by then, so
     * a stuck pipeline cannot improve the percentiles by dropping out.
     *
     * @return how many were still open
     */
    int closeOpen(long deadline) {
        int open = 0;
        for (int i = 0; i < signals; i++) {
            if (accepted[i] >= 0 && confirmed[i] < 0) {
                open++;
                synchronized (containment) {
                    containment.recordValue(Math.max(0, (deadline - due[i]) / 1000));
                }
            }
        }
        return open;
    }

    long expectedConfirmations() {
        return acceptedCount.get();
    }
}
