package io.irhub.runtime;

import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.TestDatabases;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class AuditVerifyCommandTest {

    @Test
    void verifyPassesOnAnIntactChainAndFailsNamingTheEditedRow(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase();
        try (HikariDataSource ds = Database.open(url, "postgres", null, 2)) {
            AuditLog audit = new AuditLog(ds);
            UUID corr = UUID.randomUUID();
            for (int i = 0; i < 3; i++) {
                audit.append(new AuditEvent(Instant.now(), corr, AuditEvent.Stage.PLAN, "policy:p", null, null,
                        "dispatching", Map.of("i", i)));
            }
            audit.chainAll();
            Path config = dir.resolve("irhub.yaml");
            Files.writeString(config, "store:\n  jdbc-url: " + url + "\n  username: postgres\n");

            Result ok = run("audit", "verify", "--config", config.toString());
            assertThat(ok.exit).isZero();
            assertThat(ok.out).contains("audit chain verifies: 3 rows");

            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("UPDATE audit_event SET actor = 'someone-else' WHERE chain_seq = 2");
            }
            Result broken = run("audit", "verify", "--config", config.toString());
            assertThat(broken.exit).isEqualTo(IrhubCommand.CHAIN_BROKEN);
            assertThat(broken.out).contains("BROKEN after 1 good rows").contains("chain_seq 2").contains("edited");
        }
    }

    @Test
    void anInvalidConfigurationNamesEveryFieldAndExitsWithTwo(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("irhub.yaml");
        Files.writeString(config, """
                store:
                  jdbc-url: jdbc:postgresql://127.0.0.1:1/none
                sources:
                  - name: splunk-prod
                    type: splunk
                    config:
                      token: inline-secret-value
                targets:
                  - name: okta-main
                    type: octa
                    config: {}
                """);
        Result r = run("run", "--config", config.toString());
        assertThat(r.exit).isEqualTo(IrhubCommand.CONFIG_ERROR);
        assertThat(r.err).contains("sources.splunk-prod.token").contains("targets[0].type").contains("octa")
                .doesNotContain("inline-secret-value");
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = IrhubCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
