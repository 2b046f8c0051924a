package io.irhub.runtime;

import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.Connectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubConfigTest {
    static OktaStandIn keys;

    @BeforeAll
    static void keys() {
        keys = new OktaStandIn();
    }

    @AfterAll
    static void close() {
        keys.close();
    }

    static Hub hub(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("irhub.yaml");
        Files.writeString(file, yaml);
        return new Hub(IrhubConfig.read(file), dir, Map.of("KEY_A", OktaStandIn.pem(keys.lookupKey),
                "KEY_B", OktaStandIn.pem(keys.suspendKey)));
    }

    @Test
    void twoOktaOrgsAreTwoInstancesWithTheirOwnCredentials(@TempDir Path dir) throws Exception {
        Hub hub = hub(dir, """
                targets:
                  - name: okta-corp
                    type: okta
                    config: {org-url: "https://corp.okta.com", client-id: a, private-key: "${env:KEY_A}"}
                  - name: okta-contractors
                    type: okta
                    config: {org-url: "https://contractors.okta.com", client-id: b, private-key: "${env:KEY_B}"}
                """);
        assertThat(hub.openInstances(Connectors.discover()).targets()).containsOnlyKeys("okta-corp", "okta-contractors");
    }

    @Test
    void everyInstanceProblemIsReportedWithItsPlace(@TempDir Path dir) throws Exception {
        Hub hub = hub(dir, """
                sources:
                  - name: splunk-prod
                    type: splunk
                    config: {token: "${env:MISSING_TOKEN}"}
                  - name: Bad Name
                    type: splunk
                    config: {}
                targets:
                  - name: okta-main
                    type: okta
                    config: {org-url: "not a url", client-id: a, private-key: "${env:KEY_A}"}
                  - name: okta-main
                    type: okta
                    config: {}
                  - name: cyberark
                    type: cyberark
                    config: {}
                """);
        assertThatThrownBy(() -> hub.openInstances(Connectors.discover()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(err -> err.field())
                        .containsExactlyInAnyOrder("sources.splunk-prod.token", "sources[1].name",
                                "targets.okta-main.org-url", "targets[1].name", "targets[2].type"));
    }

    @Test
    void policiesNamingAnUnknownTargetAreRefused(@TempDir Path dir) throws Exception {
        Hub hub = hub(dir, """
                policies:
                  - name: p
                    mode: auto
                    actions: [{verb: suspend, target: okta-nowhere}]
                """);
        assertThatThrownBy(() -> hub.policies(hub.openInstances(Connectors.discover()).capabilities()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("policies[0].actions[0].target")
                .hasMessageContaining("okta-nowhere");
    }

    @Test
    void unknownKeysInIrhubYamlAreRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> hub(dir, "sever:\n  port: 1\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sever");
    }
}
