package io.irhub.runtime;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A storm of alerts while the hub is killed with SIGKILL at random points and started again (invariants 1 and 4):
 * afterwards every accepted signal has exactly one signal row and one plan, every action one outcome and a terminal
 * state, and each Okta user was suspended exactly once — a resumed suspend finds the user SUSPENDED and records
 * ALREADY_DONE. Senders retry a delivery that got no 2xx with the same sid (dedupe makes that safe), as a webhook
 * relay would. The kill points come from a seeded {@link Random}; the seed is printed, and
 * {@code -Dirhub.storm.seed=N} replays one.
 */
class CrashStormTest {
    static final int SIGNALS = 1500;
    static final int IDENTITIES = 300;
    static final int SENDERS = 6;
    static final int KILLS = 3;
    static final String DETECTION = "Compromised account - credential stuffing storm";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** What the senders saw. */
    private final Map<String, Integer> accepted = new ConcurrentHashMap<>();   // sid -> the 2xx status
    private final Set<String> unexpected = ConcurrentHashMap.newKeySet();
    private final Set<String> gaveUp = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionErrors = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger duplicateOnRetry = new AtomicInteger();
    private volatile boolean up;

    @Test
    void aHubKilledThreeTimesInAStormActsOnEveryAcceptedSignalExactlyOnce() throws Exception {
        long seed = Long.getLong("irhub.storm.seed", System.nanoTime());
        System.out.println("[crash-storm] seed " + seed + " (replay with -Dirhub.storm.seed=" + seed + ")");
        Random random = new Random(seed);
        // each kill when the senders' accepted count passes a random point of its own part of the storm
        List<Integer> killAt = new ArrayList<>();
        int part = SIGNALS * 8 / 10 / KILLS;
        for (int k = 0; k < KILLS; k++) {
            killAt.add(SIGNALS / 10 + k * part + random.nextInt(part));
        }
        long started = System.nanoTime();
        HubFixture fixture = new HubFixture(OktaStandIn.stateful());
        OktaStandIn.Lifecycle okta = fixture.okta.lifecycle;
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<String> timeline = new ArrayList<>();
        try (HubProcess hub = fixture.hub(HubFixture.workDir("crash-storm"))) {
            long t0 = System.nanoTime();
            hub.start();
            timeline.add("start %.1fs".formatted(seconds(t0)));
            up = true;
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> running = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                running.add(senders.submit(() -> send(hub, seed, next)));
            }
            int acceptedAtStart = 0;
            for (int point : killAt) {
                // at least some deliveries reach each hub before it is killed again
                int threshold = Math.max(point, acceptedAtStart + 50);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                        .until(() -> accepted.size() >= threshold || running.stream().allMatch(Future::isDone));
                long unplanned = fixture.count("SELECT count(*) FROM signal WHERE state = 'accepted'");
                long open = fixture.count("SELECT count(*) FROM action WHERE state IN ('pending', 'in-flight')");
                up = false;
                hub.kill();
                timeline.add("kill at %d accepted (%d unplanned, %d actions open) %.1fs"
                        .formatted(accepted.size(), unplanned, open, seconds(started)));
                t0 = System.nanoTime();
                hub.start();
                timeline.add("restart %.1fs".formatted(seconds(t0)));
                acceptedAtStart = accepted.size();
                up = true;
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            timeline.add("storm sent %.1fs".formatted(seconds(started)));

            // the hub finishes the work the kills left behind by itself
            try {
                await("every accepted signal planned and every action finished").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250)).until(() ->
                                fixture.count("SELECT count(*) FROM signal WHERE state <> 'planned'") == 0
                                        && fixture.count("SELECT count(*) FROM action WHERE state IN ('pending', 'in-flight')") == 0);
                await("every plan completed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                        .until(() -> fixture.count("SELECT count(*) FROM plan WHERE state <> 'completed'") == 0);
                timeline.add("all done %.1fs".formatted(seconds(started)));
            } finally {
                System.out.printf("[crash-storm] seed %d, %d signals over %d users from %d senders, kills at %s%n",
                        seed, SIGNALS, IDENTITIES, SENDERS, killAt);
                System.out.println("[crash-storm] " + String.join("; ", timeline));
                System.out.printf("[crash-storm] senders: %d connection errors, %d answered 503, %d retried, %d retries "
                                + "answered 'duplicate' (accepted before the kill, answer lost)%n",
                        connectionErrors.get(), unavailable.get(), retried.get(), duplicateOnRetry.get());
                System.out.printf("[crash-storm] actions %s; audit rows %s; okta calls %d; total %.1fs%n",
                        fixture.countsBy("SELECT verb || ' ' || state, count(*) FROM action GROUP BY 1"),
                        fixture.countsBy("SELECT stage || CASE WHEN outcome = 'resumed' THEN ' (resumed)' ELSE '' END, count(*) "
                                + "FROM audit_event GROUP BY 1"), okta.calls.sum(), seconds(started));
            }

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(unexpected).as("deliveries answered other than 2xx or 503").isEmpty();
            soft.assertThat(gaveUp).as("deliveries never accepted").isEmpty();
            soft.assertThat(accepted.size()).as("accepted deliveries").isEqualTo(SIGNALS);

            // every accepted sid: exactly one signal row, exactly one plan, one signal-accepted audit row
            Map<String, Long> signalsBySid = fixture.countsBy(
                    "SELECT split_part(dedupe_key, chr(31), 1), count(*) FROM signal GROUP BY 1");
            Set<String> missing = new TreeSet<>(accepted.keySet());
            missing.removeAll(signalsBySid.keySet());
            Set<String> unaccepted = new TreeSet<>(signalsBySid.keySet());
            unaccepted.removeAll(accepted.keySet());
            soft.assertThat(missing).as("accepted signals missing from the store").isEmpty();
            soft.assertThat(unaccepted).as("stored signals no delivery got a 2xx for").isEmpty();
            soft.assertThat(only(signalsBySid, n -> n != 1)).as("sids with other than one signal row").isEmpty();
            Map<String, Long> plansBySid = fixture.countsBy("SELECT split_part(s.dedupe_key, chr(31), 1), count(p.id) "
                    + "FROM signal s LEFT JOIN plan p ON p.signal_id = s.id GROUP BY 1");
            soft.assertThat(only(plansBySid, n -> n != 1)).as("signals with other than one plan").isEmpty();
            soft.assertThat(fixture.countsBy("SELECT policy || ' ' || mode, count(*) FROM plan GROUP BY 1"))
                    .as("plans by policy and mode").isEqualTo(Map.of("compromised-account auto", (long) SIGNALS));
            soft.assertThat(fixture.count("SELECT count(*) FROM signal s WHERE (SELECT count(*) FROM audit_event e "
                    + "WHERE e.stage = 'signal-accepted' AND e.correlation_id = s.correlation_id) <> 1"))
                    .as("signals with other than one signal-accepted audit row").isZero();

            // a retry the hub had already accepted is answered 'duplicate' and on the record as such (a kill can also
            // take the answer to a retry, so there may be more such rows than 'duplicate' answers, never more than retries)
            long duplicateRows = fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-duplicate'");
            soft.assertThat(duplicateRows).as("signal-duplicate audit rows").isBetween((long) duplicateOnRetry.get(), (long) retried.get());

            // every action: a terminal state, one outcome row, an intent before it
            soft.assertThat(fixture.countsBy("SELECT verb, count(*) FROM action GROUP BY 1")).as("actions by verb")
                    .isEqualTo(Map.of("suspend", (long) SIGNALS, "clear-sessions", (long) SIGNALS));
            Map<String, Long> states = fixture.countsBy("SELECT verb || ' ' || state, count(*) FROM action GROUP BY 1");
            soft.assertThat(states.keySet()).as("action states").isSubsetOf(
                    "suspend succeeded", "suspend already-done", "clear-sessions succeeded");
            // (joins on the action id, not correlated subqueries: audit_event has no index on details->>'action_id')
            String rowsPerAction = "SELECT details->>'action_id' AS action_id, count(*) AS n, min(id) AS first FROM audit_event "
                    + "WHERE stage = '%s' GROUP BY 1";
            soft.assertThat(fixture.count("SELECT count(*) FROM action a LEFT JOIN (" + rowsPerAction.formatted("action-outcome")
                    + ") o ON o.action_id = a.id::text WHERE o.n IS DISTINCT FROM 1"))
                    .as("actions with other than one outcome audit row").isZero();
            soft.assertThat(fixture.count("SELECT count(*) FROM action a LEFT JOIN (" + rowsPerAction.formatted("action-outcome")
                    + ") o ON o.action_id = a.id::text LEFT JOIN (" + rowsPerAction.formatted("action-intent")
                    + ") i ON i.action_id = a.id::text WHERE i.first IS NULL OR o.first IS NULL OR i.first > o.first"))
                    .as("actions without an intent row before their outcome").isZero();

            // per Okta user: exactly one effective suspend, and the hub's record owns it
            Map<String, Long> suspendsByUser = okta.changes().stream()
                    .collect(Collectors.groupingBy(c -> c.login() + " " + c.verb(), java.util.TreeMap::new, Collectors.counting()));
            soft.assertThat(suspendsByUser.size()).as("users with an effective status change").isEqualTo(IDENTITIES);
            soft.assertThat(only(suspendsByUser, n -> n != 1)).as("users with other than one effective suspend").isEmpty();
            soft.assertThat(suspendsByUser.keySet()).as("changes are suspends").allMatch(k -> k.endsWith(" suspend"));
            soft.assertThat(okta.refusedTransitions.get()).as("suspends sent to a user already SUSPENDED").isZero();
            Map<String, Long> succeeded = fixture.countsBy("SELECT identity_key, count(*) FILTER (WHERE state = 'succeeded') "
                    + "FROM action WHERE verb = 'suspend' GROUP BY 1");
            soft.assertThat(only(succeeded, n -> n > 1)).as("users with more than one succeeded suspend").isEmpty();
            Map<String, Long> resumedAlreadyDone = fixture.countsBy("SELECT a.identity_key, count(DISTINCT a.id) FROM action a "
                    + "JOIN audit_event e ON e.stage = 'action-intent' AND e.outcome = 'resumed' AND e.details->>'action_id' = a.id::text "
                    + "WHERE a.verb = 'suspend' AND a.state = 'already-done' GROUP BY 1");
            soft.assertThat(succeeded.entrySet().stream().filter(e -> e.getValue() == 0
                            && !resumedAlreadyDone.containsKey(e.getKey())).map(Map.Entry::getKey).toList())
                    .as("users suspended with neither a succeeded suspend nor a resumed one on record").isEmpty();

            // clearing sessions has no state to read first: once per action, plus at most once per resumed attempt
            Map<String, Long> clearActions = fixture.countsBy(
                    "SELECT identity_key, count(*) FROM action WHERE verb = 'clear-sessions' GROUP BY 1");
            Map<String, Long> clearResumed = fixture.countsBy("SELECT a.identity_key, count(*) FROM action a "
                    + "JOIN audit_event e ON e.stage = 'action-intent' AND e.outcome = 'resumed' "
                    + "AND e.details->>'action_id' = a.id::text WHERE a.verb = 'clear-sessions' GROUP BY 1");
            List<String> clearMismatch = new ArrayList<>();
            clearActions.forEach((key, n) -> {
                AtomicInteger seen = okta.sessionClears.get(key.substring("user:".length()));
                long calls = seen == null ? 0 : seen.get();
                if (calls < n || calls > n + clearResumed.getOrDefault(key, 0L)) {
                    clearMismatch.add(key + ": " + n + " actions, " + clearResumed.getOrDefault(key, 0L) + " resumed, "
                            + calls + " calls");
                }
            });
            soft.assertThat(clearMismatch).as("session clears not matching their actions").isEmpty();
            soft.assertAll();

            EndToEndTest.fixture = fixture;
            EndToEndTest.awaitChainVerifies();
            System.out.printf("[crash-storm] checked and chain verified at %.1fs%n", seconds(started));
        } finally {
            senders.shutdownNow();
            fixture.okta.close();
        }
    }

    /** One sender: takes the next signal, delivers it until it is accepted (a 2xx), the same sid every time. */
    private void send(HubProcess hub, long seed, AtomicInteger next) {
        int i;
        while ((i = next.getAndIncrement()) < SIGNALS) {
            String sid = "storm-" + seed + "-" + i;
            String body = HubFixture.splunkAlert(sid, DETECTION, "u" + (i % IDENTITIES) + "@example.com", "high");
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + hub.port + "/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN))
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            for (int attempt = 1; ; attempt++) {
                // while the hub is down, wait for it rather than hammer a closed port
                if (!up) {
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5)).until(() -> up);
                }
                if (attempt > 1) {
                    retried.incrementAndGet();
                }
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 == 2) {
                        accepted.put(sid, r.statusCode());
                        if (attempt > 1 && r.body().contains("\"duplicate\"")) {
                            duplicateOnRetry.incrementAndGet();
                        }
                        break;
                    }
                    if (r.statusCode() != 503) {
                        unexpected.add(sid + ": " + r.statusCode() + " " + r.body());
                        break;
                    }
                    unavailable.incrementAndGet();
                } catch (IOException e) {
                    connectionErrors.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (attempt == 100) {
                    gaveUp.add(sid);
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // the relay's retry back-off
            }
        }
    }

    private static Map<String, Long> only(Map<String, Long> counts, java.util.function.LongPredicate p) {
        return counts.entrySet().stream().filter(e -> p.test(e.getValue()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.TreeMap::new));
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
