package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub replicas share the work over Kafka: signals alternate suspend and restore for each identity, so any
 * reordering or double effect shows in the target's history. One replica is killed mid-run; the other takes over.
 */
class KafkaBusTest {
    static final int IDENTITIES = 200;
    static final int ROUNDS = 5;
    static final String TOKEN = "bus-test-token-4e8a";

    @Test
    void everySignalIsActedOnOnceInOrderPerIdentityAcrossReplicasAndACrash() throws Exception {
        HubFixture fixture = new HubFixture();
        try (KafkaBroker kafka = KafkaBroker.start(); DemoOkta okta = new DemoOkta()) {
            String config = """
                    store:
                      jdbc-url: %s
                      username: postgres
                      pool-size: 8
                    kafka:
                      bootstrap-servers: %s
                    pipeline:
                      bus: kafka
                      partitions: 8
                      sweep-every: 5s
                    sources:
                      - name: edr
                        type: generic
                        config: {bearer-token: "${env:BUS_TOKEN}"}
                    targets:
                      - name: okta-main
                        type: okta
                        config: {org-url: "%s", client-id: bus-app, private-key: "${env:OKTA_LOOKUP_KEY}"}
                    policies:
                      - name: contain
                        match: {detection: "suspend*"}
                        mode: auto
                        actions: [{verb: suspend, target: okta-main}]
                      - name: release
                        match: {detection: "restore*"}
                        mode: auto
                        actions: [{verb: restore, target: okta-main}]
                    """.formatted(fixture.jdbcUrl, kafka.bootstrap(), okta.baseUrl());
            Map<String, String> env = new HashMap<>(fixture.env());
            env.put("BUS_TOKEN", TOKEN);
            try (HubProcess a = new HubProcess(HubFixture.workDir("bus-a"), config, env);
                 HubProcess b = new HubProcess(HubFixture.workDir("bus-b"), config, env)) {
                a.start();
                b.start();
                int sent = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = 0; i < IDENTITIES; i++) {
                        HubProcess to = (round >= 2 || i % 2 == 0) ? a : b;
                        if (round == 2 && i == 0) {
                            b.kill();   // mid-run: b dies with whatever it had claimed or not yet committed
                        }
                        String body = """
                                {"id":"s-%d-%d","detection":"%s %d","severity":"high",
                                 "identities":[{"kind":"user","login":"u%d@example.com"}]}"""
                                .formatted(i, round, round % 2 == 0 ? "suspend" : "restore", round, i);
                        HttpResponse<String> r = HubProcess.HTTP.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + to.port + "/hooks/edr"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                        sent++;
                    }
                }
                int total = sent;
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> fixture.count(
                        "SELECT count(*) FROM action WHERE state NOT IN ('pending', 'in-flight')") == total);

                assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(total);
                assertThat(fixture.count("SELECT count(*) FROM plan")).isEqualTo(total);
                // each action made its change once: succeeded, or — when the killed replica had made the change but
                // not recorded it — found already done by the replica that resumed it
                assertThat(fixture.count("SELECT count(*) FROM action WHERE state = 'succeeded'")
                        + fixture.count("SELECT count(*) FROM action a WHERE a.state = 'already-done' AND EXISTS (SELECT 1 FROM audit_event e"
                        + " WHERE e.stage = 'action-intent' AND e.outcome = 'resumed' AND e.details->>'action_id' = a.id::text)"))
                        .isEqualTo(total);
                assertThat(fixture.count("SELECT count(*) FROM (SELECT a.id FROM action a JOIN audit_event e "
                        + "ON e.details->>'action_id' = a.id::text AND e.stage = 'action-outcome' GROUP BY a.id HAVING count(*) <> 1) x"))
                        .isZero();
                // in order per identity: the target saw suspend, unsuspend, suspend, … for each identity, once each
                Map<String, List<String>> history = new HashMap<>();
                for (String change : okta.changes()) {
                    String[] p = change.split(" ");
                    history.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
                }
                assertThat(history).hasSize(IDENTITIES);
                List<String> expected = List.of("suspend", "unsuspend", "suspend", "unsuspend", "suspend");
                assertThat(history.values()).allSatisfy(h -> assertThat(h).isEqualTo(expected));
                EndToEndTest.fixture = fixture;
                EndToEndTest.awaitChainVerifies();

                // the audit feed on Kafka carries the whole chain, in order, and verifies on its own
                long rows = fixture.count("SELECT count(*) FROM audit_event");
                var feed = KafkaSourceEndToEndTest.readAll(kafka.bootstrap(), "irhub-audit", (int) rows);
                // at least once: a replica killed between publishing and recording republishes; drop by chain_seq
                java.util.TreeMap<Long, String> bySeq = new java.util.TreeMap<>();
                for (var r : feed) {
                    String line = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
                    bySeq.putIfAbsent(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("chain_seq").asLong(), line);
                }
                String jsonl = String.join("\n", bySeq.values());
                var verified = io.irhub.routes.store.AuditExport.verify(new java.io.BufferedReader(new java.io.StringReader(jsonl)));
                assertThat(verified.valid()).as(verified.problem()).isTrue();
                assertThat(verified.verified()).isEqualTo(rows);
            }
        } finally {
            fixture.okta.close();
        }
    }
}
