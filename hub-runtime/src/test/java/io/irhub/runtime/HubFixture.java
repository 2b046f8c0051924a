package io.irhub.runtime;

import io.irhub.routes.TestDatabases;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A hub configuration for the end-to-end tests: Splunk in, Okta (the stand-in) out, a fresh database. */
final class HubFixture {
    static final String SPLUNK_TOKEN = "splk-" + UUID.randomUUID();

    final String jdbcUrl = TestDatabases.newDatabase();
    final OktaStandIn okta;

    HubFixture() {
        this(new OktaStandIn());
    }

    /** With another Okta stand-in, e.g. {@link OktaStandIn#stateful()}. */
    HubFixture(OktaStandIn okta) {
        this.okta = okta;
    }

    String config() {
        return """
                store:
                  jdbc-url: %s
                  username: postgres
                  pool-size: 6
                pipeline:
                  sweep-every: 2s
                sources:
                  - name: splunk-prod
                    type: splunk
                    config:
                      token: ${env:SPLUNK_TOKEN}
                      max-body-bytes: 4096
                targets:
                  - name: okta-main
                    type: okta
                    config:
                      org-url: %s
                      client-id: %s
                      private-key: ${env:OKTA_LOOKUP_KEY}
                      lookup-client-id: %s
                      lookup-private-key: ${env:OKTA_LOOKUP_KEY}
                      suspend-client-id: %s
                      suspend-private-key: ${env:OKTA_SUSPEND_KEY}
                policies:
                  - name: dry-run-first
                    match:
                      detection: "Dry run*"
                    mode: dry-run
                    actions:
                      - {verb: suspend, target: okta-main}
                  - name: needs-a-human
                    match:
                      detection: "Needs approval*"
                    mode: approval
                    actions:
                      - {verb: suspend, target: okta-main}
                  - name: compromised-account
                    match:
                      source: splunk-*
                      detection: "Compromised*"
                      min-severity: high
                      identity-kinds: [user]
                    mode: auto
                    actions:
                      - {verb: suspend, target: okta-main, expires-after: 4h}
                      - {verb: clear-sessions, target: okta-main}
                guards:
                  protected-identities: ["breakglass@example.com"]
                """.formatted(jdbcUrl, okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT, OktaStandIn.LOOKUP_CLIENT,
                OktaStandIn.SUSPEND_CLIENT);
    }

    Map<String, String> env() {
        return Map.of("SPLUNK_TOKEN", SPLUNK_TOKEN,
                "OKTA_LOOKUP_KEY", OktaStandIn.pem(okta.lookupKey),
                "OKTA_SUSPEND_KEY", OktaStandIn.pem(okta.suspendKey));
    }

    /** The secrets a log line must never show: the token and the base64 body lines of both keys. */
    List<String> secrets() {
        List<String> s = new ArrayList<>(List.of(SPLUNK_TOKEN));
        for (String pem : List.of(env().get("OKTA_LOOKUP_KEY"), env().get("OKTA_SUSPEND_KEY"))) {
            pem.lines().filter(l -> !l.startsWith("-----")).forEach(s::add);
        }
        return s;
    }

    /** A directory under target/ for one test's hub (its config and log stay there for a look after a failure). */
    static Path workDir(String name) {
        try {
            return java.nio.file.Files.createDirectories(Path.of("target", "hubs", name + "-" + System.nanoTime()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    HubProcess hub(Path dir) {
        return new HubProcess(dir, config(), env());
    }

    /** A Splunk webhook alert action body in the documented shape. */
    static String splunkAlert(String sid, String searchName, String user, String severity) {
        return """
                {"sid":"%s","search_name":"%s","app":"search","owner":"admin",
                 "results_link":"https://splunk.example.com:8000/app/search/@go?sid=%s",
                 "result":{"user":"%s","src":"203.0.113.7","severity":"%s","_time":"1795430400.123","count":"3"}}"""
                .formatted(sid, searchName, sid, user, severity);
    }

    long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A two-column query ({@code key, count}) as a map, e.g. {@code SELECT identity_key, count(*) … GROUP BY 1}. */
    Map<String, Long> countsBy(String sql) throws SQLException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
