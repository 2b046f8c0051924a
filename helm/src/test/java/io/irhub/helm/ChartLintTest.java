package io.irhub.helm;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static io.irhub.helm.HelmChart.render;
import static io.irhub.helm.HelmChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** helm lint --strict on the defaults and every ci/ scenario; values.schema.json refuses what the chart cannot use. */
class ChartLintTest {

    static List<String> scenarios() {
        return HelmChart.ciScenarios();
    }

    @Test
    void ciScenariosExist() {
        assertThat(scenarios()).containsExactlyInAnyOrder(
                "minimal-values.yaml", "full-production-values.yaml", "existing-secrets-values.yaml");
    }

    @Test
    void defaultValuesPassStrictLint() {
        LintResult result = HelmChart.lintDefaults();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    @ParameterizedTest(name = "ci/{0}")
    @MethodSource("scenarios")
    void ciScenarioPassesStrictLint(String scenario) {
        LintResult result = HelmChart.lint(HelmChart.ci(scenario));
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    @Test
    void lintFailsOnValuesTheSchemaRefuses(@TempDir Path dir) {
        // proves the lint above would catch a broken scenario rather than pass anything
        LintResult result = HelmChart.lint(values(dir, "bad.yaml", "replicaCount: 0\n"));
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("replicaCount");
    }

    @Test
    void unknownKeysAreRefusedAtEveryLevel(@TempDir Path dir) {
        assertRefused(dir, "replicas: 3\n", "replicas");
        assertRefused(dir, "store:\n  jdbcurl: jdbc:postgresql://db:5432/irhub\n", "jdbcurl");
        assertRefused(dir, "networkPolicy:\n  egress:\n    vendor: []\n", "vendor");
        assertRefused(dir, "config:\n  sources:\n    - {name: s, type: splunk, cfg: {}}\n", "cfg");
        // the chart owns the listeners and the store section of irhub.yaml
        assertRefused(dir, "config:\n  store:\n    jdbc-url: jdbc:postgresql://db:5432/irhub\n", "store");
        assertRefused(dir, "config:\n  server:\n    port: 9090\n", "port");
        assertRefused(dir, "config:\n  kafka:\n    bootstrap-servers: k:9093\n", "kafka");
        assertRefused(dir, "policies:\n  - {name: p, mode: auto, actions: [{verb: suspend, target: okta}], when: x}\n",
                "when");
    }

    @Test
    void typesEnumsAndMinimumsAreChecked(@TempDir Path dir) {
        assertRefused(dir, "replicaCount: 0\n", "replicaCount");
        assertRefused(dir, "replicaCount: \"2\"\n", "replicaCount");
        assertRefused(dir, "image:\n  pullPolicy: Sometimes\n", "pullPolicy");
        assertRefused(dir, "kafka:\n  securityProtocol: PLAINTEXT\n", "securityProtocol");
        assertRefused(dir, "config:\n  api:\n    tokens:\n      - {name: a, token: \"${env:T}\", role: root}\n", "role");
        assertRefused(dir, "store:\n  jdbcUrl: mysql://db/irhub\n", "jdbcUrl");
        assertRefused(dir, "policies:\n  - {name: p, mode: sometimes, actions: [{verb: suspend, target: okta}]}\n",
                "mode");
        assertRefused(dir, "policies:\n  - {name: p, mode: auto, actions: [{verb: delete, target: okta}]}\n", "verb");
        assertRefused(dir, "policies:\n  - {name: p, mode: auto, actions: []}\n", "actions");
        assertRefused(dir, "secrets:\n  splunk-prod:\n    data:\n      not-an-env-name: x\n", "not-an-env-name");
        assertRefused(dir, "secrets:\n  Splunk_Prod:\n    data: {TOKEN: x}\n", "Splunk_Prod");
        // <release>-irhub-store and -kafka are the chart's own Secrets
        assertRefused(dir, "secrets:\n  store:\n    data: {TOKEN: x}\n", "store");
    }

    @Test
    void apiTokensMustBeSecretReferences(@TempDir Path dir) {
        assertRefused(dir, "config:\n  api:\n    tokens:\n      - {name: soc, token: plain-text-token}\n", "token");
        render(values(dir, "ok.yaml", "config:\n  api:\n    tokens:\n      - {name: soc, token: \"${env:API_TOKEN}\"}\n"));
    }

    @Test
    void anEnabledIngressNeedsAHost(@TempDir Path dir) {
        assertRefused(dir, "ingress:\n  enabled: true\n", "hosts");
    }

    @Test
    void vendorEgressRulesNeedCidrsSoTheyNeverMeanAnyDestination(@TempDir Path dir) {
        assertRefused(dir, "networkPolicy:\n  egress:\n    vendors:\n      - {name: okta, cidrs: [], ports: [443]}\n",
                "cidrs");
    }

    private static void assertRefused(Path dir, String yaml, String mentioned) {
        Path file = values(dir, "refused.yaml", yaml);
        assertThatThrownBy(() -> render(file))
                .as("values refused:\n" + yaml)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(mentioned);
    }
}
