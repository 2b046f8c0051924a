package io.irhub.routes.store;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTest {
    private HikariDataSource db;
    private AuditLog audit;

    @BeforeEach
    void setUp() {
        db = TestDatabases.freshStore();
        audit = new AuditLog(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private void write(int n) {
        UUID corr = UUID.randomUUID();
        for (int i = 0; i < n; i++) {
            audit.append(new AuditEvent(Instant.now(), corr, AuditEvent.Stage.PLAN, "policy:test", "okta-main",
                    "user:alice@example.com", "planned", Map.of("i", i, "note", "row " + i)));
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void anEmptyChainVerifies() {
        assertThat(audit.verify()).isEqualTo(new AuditVerification(true, 0, 0, null));
    }

    @Test
    void rowsAreChainedAndVerify() {
        write(5);
        assertThat(audit.verify().pending()).isEqualTo(5);
        audit.chainAll();
        AuditVerification v = audit.verify();
        assertThat(v.valid()).as(v.problem()).isTrue();
        assertThat(v.verified()).isEqualTo(5);
        assertThat(v.pending()).isZero();
        write(3);
        audit.chainAll();
        assertThat(audit.verify()).isEqualTo(new AuditVerification(true, 8, 0, null));
    }

    @Test
    void anEditedRowIsDetected() throws SQLException {
        write(5);
        audit.chainAll();
        sql("UPDATE audit_event SET outcome = 'succeeded' WHERE chain_seq = 3");
        AuditVerification v = audit.verify();
        assertThat(v.valid()).isFalse();
        assertThat(v.verified()).isEqualTo(2);
        assertThat(v.problem()).contains("chain_seq 3").contains("edited");
    }

    @Test
    void anEditedDetailIsDetected() throws SQLException {
        write(3);
        audit.chainAll();
        sql("UPDATE audit_event SET details = details || '{\"note\":\"changed\"}' WHERE chain_seq = 1");
        assertThat(audit.verify().problem()).contains("chain_seq 1").contains("edited");
    }

    @Test
    void aDeletedRowIsDetected() throws SQLException {
        write(5);
        audit.chainAll();
        sql("DELETE FROM audit_event WHERE chain_seq = 2");
        AuditVerification v = audit.verify();
        assertThat(v.valid()).isFalse();
        assertThat(v.problem()).contains("chain_seq 2 is missing");
    }

    @Test
    void aDeletedLastRowIsDetected() throws SQLException {
        write(4);
        audit.chainAll();
        sql("DELETE FROM audit_event WHERE chain_seq = 4");
        assertThat(audit.verify().problem()).contains("deleted from the end");
    }

    @Test
    void concurrentWritersAndChainersKeepOneValidChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Object>> work = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                work.add(() -> {
                    write(50);
                    return null;
                });
            }
            for (int w = 0; w < 2; w++) {
                work.add(() -> {
                    for (int i = 0; i < 20; i++) {
                        audit.chainPending(25);
                    }
                    return null;
                });
            }
            for (Future<Object> f : pool.invokeAll(work)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        audit.chainAll();
        assertThat(audit.verify()).isEqualTo(new AuditVerification(true, 200, 0, null));
    }
}
