package io.irhub.kamelets;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.AuditVerification;
import io.irhub.routes.store.Database;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit sink Kamelet against a real (embedded) PostgreSQL, read back and verified with the store's own code. */
class AuditSinkKameletTest {
    private static final String ROUTES = """
            - route:
                from:
                  uri: direct:audit
                  steps:
                    - to: kamelet:irhub-audit-sink
            """;

    private static final String OUTCOME = """
            {"at": "2026-11-20T10:15:30.123456Z",
             "correlation_id": "0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
             "stage": "action-outcome",
             "actor": "dispatch",
             "connector_instance": "okta-main",
             "identity": "user:alice@example.com",
             "outcome": "succeeded",
             "details": {"verb": "suspend", "status_before": "ACTIVE", "attempts": 1}}
            """;

    @Test
    void writesEachEventAsOneChainedAuditRow() throws Exception {
        String url = TestDatabase.newDatabase();
        Map<String, String> properties = Map.of(
                "camel.kamelet.irhub-audit-sink.jdbcUrl", url,
                "camel.kamelet.irhub-audit-sink.username", "postgres");
        try (CamelHarness camel = CamelHarness.start(properties, ROUTES)) {
            camel.producer().sendBody("direct:audit", OUTCOME);
            camel.producer().sendBody("direct:audit", """
                    {"stage": "signal-refused", "actor": "intake", "outcome": "refused", "details": {"reason": "401"}}""");
        }

        try (HikariDataSource store = Database.open(url, "postgres", null, 2)) {
            List<String> rows = new ArrayList<>();
            try (Connection c = store.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("""
                         SELECT at, correlation_id, stage, actor, connector_instance, identity, outcome, details::text,
                                chain_seq FROM audit_event ORDER BY id""")) {
                while (rs.next()) {
                    rows.add(rs.getObject(1, java.time.OffsetDateTime.class).toInstant() + " " + rs.getString(2) + " "
                            + rs.getString(3) + " " + rs.getString(4) + " " + rs.getString(5) + " " + rs.getString(6)
                            + " " + rs.getString(7) + " " + rs.getString(8) + " " + rs.getLong(9));
                }
            }
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0)).isEqualTo("2026-11-20T10:15:30.123456Z 0b7e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b "
                    + "action-outcome dispatch okta-main user:alice@example.com succeeded "
                    + "{\"verb\": \"suspend\", \"attempts\": 1, \"status_before\": \"ACTIVE\"} 1");
            assertThat(rows.get(1)).contains(" null signal-refused intake null null refused {\"reason\": \"401\"} 2");

            AuditVerification verification = new AuditLog(store).verify();
            assertThat(verification.valid()).isTrue();
            assertThat(verification.verified()).isEqualTo(2);
            assertThat(verification.pending()).isZero();
        }
    }

    @Test
    void anEventOfAnUnknownStageIsRefusedAndWritesNothing() throws Exception {
        String url = TestDatabase.newDatabase();
        Map<String, String> properties = Map.of(
                "camel.kamelet.irhub-audit-sink.jdbcUrl", url,
                "camel.kamelet.irhub-audit-sink.username", "postgres");
        try (CamelHarness camel = CamelHarness.start(properties, ROUTES)) {
            assertThatThrownBy(() -> camel.producer().sendBody("direct:audit",
                    OUTCOME.replace("action-outcome", "action-done")))
                    .hasStackTraceContaining("stage 'action-done' is none of");
        }
        try (HikariDataSource store = Database.open(url, "postgres", null, 2);
             Connection c = store.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
