package io.irhub.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stopped mid-run and started again, with the Kafka bus: signals are still accepted onto Kafka, no
 * target is called while the store is away, every change has its audit rows, and the hub catches up by itself.
 */
class StoreOutageTest {
    static final String TOKEN = "outage-token-7b2c";

    static EmbeddedPostgres start(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("unix_socket_directories", "").start();
    }

    static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int post(HubProcess hub, String id, String user) throws Exception {
        String body = "{\"id\":\"" + id + "\",\"detection\":\"suspend " + id + "\",\"severity\":\"high\","
                + "\"identities\":[{\"kind\":\"user\",\"login\":\"" + user + "\"}]}";
        return HubProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/hooks/edr"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void theHubStopsActingWhileTheStoreIsAwayAndCatchesUp() throws Exception {
        Path data = Files.createTempDirectory("outage-pg");
        int port = HubProcess.freePort();
        EmbeddedPostgres pg = start(data, port);
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        HubFixture fixture = new HubFixture();
        try (KafkaBroker kafka = KafkaBroker.start(); DemoOkta okta = new DemoOkta()) {
            String config = """
                    store: {jdbc-url: "%s", username: postgres, pool-size: 6}
                    kafka: {bootstrap-servers: "%s"}
                    pipeline: {bus: kafka, partitions: 4, sweep-every: 3s}
                    sources:
                      - {name: edr, type: generic, config: {bearer-token: "${env:BUS_TOKEN}"}}
                    targets:
                      - {name: okta-main, type: okta, config: {org-url: "%s", client-id: app, private-key: "${env:OKTA_LOOKUP_KEY}"}}
                    policies:
                      - {name: contain, mode: auto, actions: [{verb: suspend, target: okta-main}]}
                    """.formatted(url, kafka.bootstrap(), okta.baseUrl());
            Map<String, String> env = new HashMap<>(fixture.env());
            env.put("BUS_TOKEN", TOKEN);
            try (HubProcess hub = new HubProcess(HubFixture.workDir("outage"), config, env)) {
                hub.start();
                for (int i = 0; i < 50; i++) {
                    assertThat(post(hub, "before-" + i, "b" + i + "@example.com")).isEqualTo(202);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> okta.changes().size() == 50);

                pg.close();   // the store goes away
                for (int i = 0; i < 50; i++) {
                    assertThat(post(hub, "during-" + i, "d" + i + "@example.com")).as("signals are still accepted onto Kafka").isEqualTo(202);
                }
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> okta.changes().size() == 50);

                pg = start(data, port);   // and comes back
                await().atMost(Duration.ofSeconds(90)).until(() -> okta.changes().size() == 100);
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        count(url, "SELECT count(*) FROM action WHERE state = 'succeeded'") == 100);
                assertThat(count(url, "SELECT count(*) FROM signal")).isEqualTo(100);
                // every change the target made has its intent before it and its outcome after it
                assertThat(count(url, "SELECT count(*) FROM action a WHERE NOT EXISTS (SELECT 1 FROM audit_event e "
                        + "WHERE e.stage = 'action-intent' AND e.details->>'action_id' = a.id::text)")).isZero();
                assertThat(count(url, "SELECT count(*) FROM action a WHERE NOT EXISTS (SELECT 1 FROM audit_event e "
                        + "WHERE e.stage = 'action-outcome' AND e.details->>'action_id' = a.id::text)")).isZero();
                try (var ds = io.irhub.routes.store.Database.open(url, "postgres", null, 2)) {
                    var audit = new io.irhub.routes.store.AuditLog(ds);
                    await().atMost(Duration.ofSeconds(15)).until(() -> {
                        var v = audit.verify();
                        assertThat(v.valid()).as(v.problem()).isTrue();
                        return v.pending() == 0;
                    });
                }
            }
        } finally {
            pg.close();
            fixture.okta.close();
        }
    }
}
