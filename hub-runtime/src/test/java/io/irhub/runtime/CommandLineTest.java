package io.irhub.runtime;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.TestDatabases;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.irhub.runtime.AuditVerifyCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** The commands a platform team runs without the hub: connectors list, policy lint/test, audit export and offline verify. */
class CommandLineTest {

    @Test
    void connectorsListShowsCapabilitiesCredentialsAndSecrets() {
        AuditVerifyCommandTest.Result r = run("connectors", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("okta (target)").contains("can suspend").contains("with credential suspend")
                .contains("splunk (source)").contains("slack (approval)")
                .containsPattern("private-key\\s+string\\s+required\\s+\\[secret\\]");
    }

    @Test
    void policyLintAndTestNeedNoSecrets(@TempDir Path dir) throws Exception {
        Path config = Path.of("..", "examples", "irhub.yaml");
        AuditVerifyCommandTest.Result lint = run("policy", "lint", "--config", config.toString());
        assertThat(lint.exit()).as(lint.err()).isZero();
        assertThat(lint.out()).contains("2 policies valid");

        Path signal = dir.resolve("signal.json");
        Files.writeString(signal, """
                {"source":"splunk-prod","source_type":"splunk","detection":"Compromised account","severity":"high",
                 "identities":[{"kind":"user","login":"breakglass@acme.com"},{"kind":"user","login":"dana@acme.com"}]}""");
        AuditVerifyCommandTest.Result test = run("policy", "test", "--config", config.toString(), signal.toString());
        assertThat(test.exit()).as(test.err()).isZero();
        assertThat(test.out()).contains("\"policy\" : \"compromised-account\"").contains("\"state\" : \"blocked\"")
                .contains("user:dana@acme.com");

        Path bad = dir.resolve("irhub.yaml");
        Files.writeString(bad, """
                targets:
                  - {name: okta-main, type: okta, config: {}}
                policies:
                  - name: p
                    mode: auto
                    actions: [{verb: rotate, target: okta-main}]
                """);
        AuditVerifyCommandTest.Result broken = run("policy", "lint", "--config", bad.toString());
        assertThat(broken.exit()).isEqualTo(IrhubCommand.CONFIG_ERROR);
        assertThat(broken.err()).contains("policies[0].actions[0].verb").contains("cannot rotate");
    }

    @Test
    void anExportVerifiesOfflineAndATamperedOneDoesNot(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase();
        try (HikariDataSource ds = Database.open(url, "postgres", null, 2)) {
            AuditLog audit = new AuditLog(ds);
            for (int i = 0; i < 4; i++) {
                audit.append(new AuditEvent(Instant.now(), UUID.randomUUID(), AuditEvent.Stage.SIGNAL_ACCEPTED, "intake",
                        "splunk-prod", "user:x@example.com", "accepted", Map.of("n", i)));
            }
            audit.chainAll();
        }
        Path config = dir.resolve("irhub.yaml");
        Files.writeString(config, "store:\n  jdbc-url: " + url + "\n  username: postgres\n");
        Path export = dir.resolve("audit.jsonl");
        AuditVerifyCommandTest.Result ex = run("audit", "export", "--config", config.toString(), "-o", export.toString());
        assertThat(ex.exit()).as(ex.err()).isZero();
        assertThat(Files.readAllLines(export)).hasSize(4);

        AuditVerifyCommandTest.Result ok = run("audit", "verify", "--file", export.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("export verifies: 4 rows");

        Path tampered = dir.resolve("tampered.jsonl");
        Files.writeString(tampered, Files.readString(export).replaceFirst("\"actor\":\"intake\"", "\"actor\":\"someone\""));
        AuditVerifyCommandTest.Result broken = run("audit", "verify", "--file", tampered.toString());
        assertThat(broken.exit()).isEqualTo(IrhubCommand.CHAIN_BROKEN);
        assertThat(broken.out()).contains("edited");

        Path gap = dir.resolve("gap.jsonl");
        var lines = Files.readAllLines(export);
        lines.remove(1);
        Files.write(gap, lines);
        assertThat(run("audit", "verify", "--file", gap.toString()).out()).contains("missing");
    }
}
