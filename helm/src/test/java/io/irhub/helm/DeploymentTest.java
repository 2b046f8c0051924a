package io.irhub.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.helm.HelmChart.Rendered;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.irhub.helm.HelmChart.ci;
import static io.irhub.helm.HelmChart.render;
import static io.irhub.helm.HelmChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hub's pods: hardening, replicas, probes, the store they use, and rolling on configuration changes. */
class DeploymentTest {
    static final String EMBEDDED_REFUSED = "the embedded PostgreSQL cannot serve more than one replica";

    /** The chart's defaults, every ci/ scenario and the tests' own scenarios, named by file. */
    static List<Named<Path>> everyScenario() {
        List<Named<Path>> all = new ArrayList<>();
        all.add(Named.of("defaults", HelmChart.CHART.resolve("values.yaml")));
        HelmChart.ciScenarios().forEach(s -> all.add(Named.of("ci/" + s, ci(s))));
        all.add(Named.of("inline-secrets-values.yaml", HelmChart.scenario("inline-secrets-values.yaml")));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyScenario")
    void podsRunHardened(Path scenario) {
        Rendered r = render(scenario);
        JsonNode pod = r.podSpec().path("securityContext");
        assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("runAsUser").asInt()).isEqualTo(10001);
        assertThat(pod.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        JsonNode container = r.container().path("securityContext");
        assertThat(container.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("runAsUser").asInt()).isEqualTo(10001);
        assertThat(container.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.path("capabilities").path("drop")).extracting(JsonNode::asText).containsExactly("ALL");
        assertThat(container.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        // the hub never calls the Kubernetes API
        assertThat(r.podSpec().path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(r.one("ServiceAccount").path("automountServiceAccountToken").asBoolean(true)).isFalse();

        // the root file system is read-only: /tmp is a writable emptyDir
        assertThat(mountPaths(r)).containsEntry("/tmp", "tmp");
        assertThat(volume(r, "tmp").has("emptyDir")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyScenario")
    void probesAskTheManagementPort(Path scenario) {
        JsonNode c = render(scenario).container();
        assertThat(c.path("ports")).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("management");
            assertThat(p.path("containerPort").asInt()).isEqualTo(9876);
        });
        assertThat(c.path("ports")).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("http");
            assertThat(p.path("containerPort").asInt()).isEqualTo(8080);
        });
        // live: the Camel context only (a store outage must not restart pods); ready: includes the audit store
        assertThat(probe(c, "startupProbe")).isEqualTo("management /observe/health/live");
        assertThat(probe(c, "livenessProbe")).isEqualTo("management /observe/health/live");
        assertThat(probe(c, "readinessProbe")).isEqualTo("management /observe/health/ready");
    }

    @Test
    void theHubRunsWithTheMountedConfiguration() {
        Rendered r = render();
        JsonNode c = r.container();
        assertThat(c.path("image").asText()).isEqualTo("irhub/irhub:0.1.0");
        assertThat(c.path("args")).extracting(JsonNode::asText)
                .containsExactly("run", "--config", "/etc/irhub/irhub.yaml");
        assertThat(mountPaths(r)).containsEntry("/etc/irhub", "config");
        assertThat(volume(r, "config").path("configMap").path("name").asText()).isEqualTo("irhub");
    }

    @Test
    void replicas() {
        assertThat(render().deployment().path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(render(ci("existing-secrets-values.yaml")).deployment().path("spec").path("replicas").asInt())
                .isEqualTo(2);

        // with the autoscaler, the HPA owns the replica count
        Rendered production = render(ci("full-production-values.yaml"));
        assertThat(production.deployment().path("spec").has("replicas")).isFalse();
        JsonNode hpa = production.one("HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isEqualTo(3);
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).isEqualTo(8);
        assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("irhub");
        assertThat(hpa.path("spec").path("metrics").get(0).path("resource").path("target")
                .path("averageUtilization").asInt()).isEqualTo(70);
        assertThat(render().all("HorizontalPodAutoscaler")).isEmpty();
    }

    @Test
    void moreThanOneReplicaWithoutExternalPostgresIsRefused() {
        assertThatThrownBy(() -> render(Map.of("replicaCount", 2)))
                .hasMessageContaining(EMBEDDED_REFUSED)
                .hasMessageContaining("replicaCount=2")
                .hasMessageContaining("store.jdbcUrl");
        assertThatThrownBy(() -> render(Map.of("autoscaling.enabled", true)))
                .hasMessageContaining(EMBEDDED_REFUSED)
                .hasMessageContaining("autoscaling.enabled=true");
        assertThat(render(Map.of("replicaCount", 2, "store.jdbcUrl", "jdbc:postgresql://db:5432/irhub"))
                .deployment().path("spec").path("replicas").asInt()).isEqualTo(2);
    }

    @Test
    void embeddedStoreKeepsItsDataOnAMountedVolumeAndNeverOverlapsTwoPods() {
        Rendered r = render();
        assertThat(r.irhubYaml().path("store").path("embedded").path("data-dir").asText())
                .isEqualTo("/var/lib/irhub/postgres");
        assertThat(mountPaths(r)).containsEntry("/var/lib/irhub", "data");
        assertThat(volume(r, "data").path("emptyDir").path("sizeLimit").asText()).isEqualTo("2Gi");
        assertThat(r.deployment().path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");
        assertThat(r.env("IRHUB_STORE_JDBC_URL")).isNull();
        assertThat(r.all("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void externalStoreComesThroughEnvironmentAndASecret() {
        Rendered r = render(ci("existing-secrets-values.yaml"));
        assertThat(r.irhubYaml().path("store").has("embedded")).isFalse();
        assertThat(r.irhubYaml().path("store").has("jdbc-url")).isFalse();
        assertThat(mountPaths(r)).doesNotContainKey("/var/lib/irhub");
        assertThat(r.env("IRHUB_STORE_JDBC_URL").path("value").asText())
                .isEqualTo("jdbc:postgresql://pg-rw.databases.svc:5432/app");
        assertThat(r.env("IRHUB_STORE_USERNAME").path("value").asText()).isEqualTo("app");
        JsonNode password = r.env("IRHUB_STORE_PASSWORD").path("valueFrom").path("secretKeyRef");
        assertThat(password.path("name").asText()).isEqualTo("pg-app");
        assertThat(password.path("key").asText()).isEqualTo("password");
        JsonNode strategy = r.deployment().path("spec").path("strategy");
        assertThat(strategy.path("type").asText()).isEqualTo("RollingUpdate");
        assertThat(strategy.path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
    }

    @Test
    void checksumsRollThePodsWhenConfigurationOrSecretsChange(@TempDir Path dir) {
        Path base = ci("minimal-values.yaml");
        Rendered before = render(base);
        String config = before.annotation("checksum/config");
        String secret = before.annotation("checksum/secret");
        assertThat(config).matches("[0-9a-f]{64}");
        assertThat(secret).matches("[0-9a-f]{64}");

        Rendered again = render(base);
        assertThat(again.annotation("checksum/config")).as("stable for the same values").isEqualTo(config);
        assertThat(again.annotation("checksum/secret")).isEqualTo(secret);

        Rendered configChanged = render(base, values(dir, "config.yaml", "config:\n  pipeline:\n    partitions: 8\n"));
        assertThat(configChanged.annotation("checksum/config")).isNotEqualTo(config);
        assertThat(configChanged.annotation("checksum/secret")).isEqualTo(secret);

        Rendered policyChanged = render(base, values(dir, "policy.yaml", """
                policies:
                  - {name: p, mode: dry-run, actions: [{verb: suspend, target: okta-main}]}
                """));
        assertThat(policyChanged.annotation("checksum/config")).isNotEqualTo(config);

        Rendered secretChanged = render(base, values(dir, "secret.yaml",
                "secrets:\n  splunk-prod:\n    data:\n      SPLUNK_TOKEN: a-rotated-token\n"));
        assertThat(secretChanged.annotation("checksum/secret")).isNotEqualTo(secret);
        assertThat(secretChanged.annotation("checksum/config")).isEqualTo(config);
    }

    @Test
    void podDisruptionBudgetWhenMoreThanOnePodRuns(@TempDir Path dir) {
        JsonNode pdb = render(ci("existing-secrets-values.yaml")).one("PodDisruptionBudget");
        assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
        assertThat(pdb.path("spec").path("minAvailable").asInt()).isEqualTo(1);
        assertThat(pdb.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/component").asText())
                .isEqualTo("hub");

        assertThat(render(ci("full-production-values.yaml")).one("PodDisruptionBudget")
                .path("spec").path("minAvailable").asInt()).isEqualTo(2);

        JsonNode explicit = render(values(dir, "pdb.yaml",
                "podDisruptionBudget:\n  enabled: true\n  maxUnavailable: 1\n")).one("PodDisruptionBudget");
        assertThat(explicit.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        assertThat(explicit.path("spec").has("minAvailable")).isFalse();

        // an autoscaler that may shrink to one pod gets none: minAvailable 1 would block every node drain
        assertThat(render(values(dir, "hpa.yaml", """
                store: {jdbcUrl: "jdbc:postgresql://db:5432/irhub"}
                autoscaling: {enabled: true, minReplicas: 1}
                """)).all("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void connectorSecretsBecomeEnvironmentAndOptionallyFiles() {
        Rendered r = render(ci("full-production-values.yaml"));
        assertThat(r.container().path("envFrom")).extracting(e -> e.path("secretRef").path("name").asText())
                .containsExactlyInAnyOrder("irhub-splunk-prod", "irhub-edr-stream", "irhub-okta-main",
                        "irhub-slack-soc", "irhub-api-tokens");
        assertThat(mountPaths(r)).containsEntry("/run/secrets/irhub/okta-main", "secret-okta-main");
        JsonNode volume = volume(r, "secret-okta-main").path("secret");
        assertThat(volume.path("secretName").asText()).isEqualTo("irhub-okta-main");
        assertThat(volume.path("defaultMode").asInt()).isEqualTo(0440);
    }

    @Test
    void kafkaSettingsBecomeTheKafkaSectionWithPasswordsByReference() {
        JsonNode sasl = render(ci("full-production-values.yaml")).irhubYaml().path("kafka");
        assertThat(sasl.path("bootstrap-servers").asText()).startsWith("kafka-0.kafka.svc:9093,");
        assertThat(sasl.path("security-protocol").asText()).isEqualTo("SASL_SSL");
        assertThat(sasl.path("sasl-mechanism").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(sasl.path("sasl-username").asText()).isEqualTo("irhub");
        assertThat(sasl.path("sasl-password").asText()).isEqualTo("${env:IRHUB_KAFKA_SASL_PASSWORD}");
        assertThat(sasl.path("ssl-truststore-location").asText()).isEqualTo("/run/secrets/irhub/kafka-truststore/ca.p12");
        assertThat(sasl.path("ssl-truststore-password").asText()).isEqualTo("${env:IRHUB_KAFKA_SSL_TRUSTSTORE_PASSWORD}");
        assertThat(sasl.has("ssl-keystore-location")).isFalse();

        JsonNode mtls = render(ci("existing-secrets-values.yaml")).irhubYaml().path("kafka");
        assertThat(mtls.path("security-protocol").asText()).isEqualTo("SSL");
        assertThat(mtls.has("sasl-mechanism")).isFalse();
        assertThat(mtls.path("ssl-keystore-location").asText()).isEqualTo("/run/secrets/irhub/kafka-keystore/user.p12");
        assertThat(mtls.path("ssl-keystore-password").asText()).isEqualTo("${env:IRHUB_KAFKA_SSL_KEYSTORE_PASSWORD}");

        assertThat(render().irhubYaml().has("kafka")).isFalse();
    }

    @Test
    void kafkaSettingsArePassedAsEnvironment() {
        Rendered sasl = render(ci("full-production-values.yaml"));
        assertThat(sasl.env("IRHUB_KAFKA_BOOTSTRAP_SERVERS").path("value").asText()).startsWith("kafka-0.kafka.svc:9093");
        assertThat(sasl.env("IRHUB_KAFKA_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SASL_SSL");
        assertThat(sasl.env("IRHUB_KAFKA_SASL_MECHANISM").path("value").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(sasl.env("IRHUB_KAFKA_SASL_USERNAME").path("value").asText()).isEqualTo("irhub");
        assertThat(sasl.env("IRHUB_KAFKA_SASL_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText())
                .isEqualTo("irhub-kafka-user");
        assertThat(sasl.env("IRHUB_KAFKA_SSL_KEYSTORE_LOCATION")).isNull();

        Rendered mtls = render(ci("existing-secrets-values.yaml"));
        assertThat(mtls.env("IRHUB_KAFKA_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SSL");
        assertThat(mtls.env("IRHUB_KAFKA_SASL_PASSWORD")).isNull();
        assertThat(mtls.env("IRHUB_KAFKA_SSL_KEYSTORE_LOCATION").path("value").asText())
                .isEqualTo("/run/secrets/irhub/kafka-keystore/user.p12");
        assertThat(mtls.env("IRHUB_KAFKA_SSL_KEYSTORE_PASSWORD").path("valueFrom").path("secretKeyRef").path("key")
                .asText()).isEqualTo("user.password");
        assertThat(mountPaths(mtls)).containsEntry("/run/secrets/irhub/kafka-keystore", "kafka-keystore");

        assertThat(render().env("IRHUB_KAFKA_BOOTSTRAP_SERVERS")).isNull();
    }

    @Test
    void saslWithoutItsCredentialsIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> render(values(dir, "kafka.yaml", "kafka:\n  bootstrapServers: k:9093\n")))
                .hasMessageContaining("kafka.sasl.username");
    }

    @Test
    void helmTestPodChecksReadinessAsNonRoot() {
        Rendered r = HelmChart.renderWithTestHooks();
        JsonNode pod = r.all("Pod").stream()
                .filter(p -> p.path("metadata").path("name").asText().equals("irhub-test-connection"))
                .findFirst().orElseThrow();
        assertThat(pod.path("metadata").path("labels").path("app.kubernetes.io/component").asText())
                .as("kept out of the Service, which selects component hub").isEqualTo("test");
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(spec.path("securityContext").path("runAsUser").asInt()).isNotZero();
        JsonNode container = spec.path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("busybox:1.37");
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("args")).extracting(JsonNode::asText)
                .contains("http://irhub:9876/observe/health/ready");
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("Never");
    }

    @Test
    void notesWarnAboutTheEmbeddedStoreOnly() {
        String embedded = HelmChart.notes();
        assertThat(embedded).contains("EMBEDDED PostgreSQL").contains("NOT FOR PRODUCTION")
                .contains("http://irhub.irhub.svc:8080/hooks/<source-instance>")
                .contains("port-forward svc/irhub 9876:9876").contains("/observe/health/ready");

        String external = HelmChart.notes(ci("full-production-values.yaml"));
        assertThat(external).doesNotContain("EMBEDDED PostgreSQL")
                .contains("https://irhub.acme.example/hooks/splunk-prod/<token>")
                .contains("https://irhub.acme.example/hooks/edr-stream")
                .contains("https://irhub.acme.example/slack/interactions")
                // this scenario keeps /api out of the ingress
                .doesNotContain("https://irhub.acme.example/api")
                .contains("bus: kafka");
    }

    private static String probe(JsonNode container, String name) {
        JsonNode get = container.path(name).path("httpGet");
        return get.path("port").asText() + " " + get.path("path").asText();
    }

    /** mountPath to volume name. */
    private static Map<String, String> mountPaths(Rendered r) {
        Map<String, String> mounts = new java.util.HashMap<>();
        r.container().path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
        return mounts;
    }

    private static JsonNode volume(Rendered r, String name) {
        for (JsonNode v : r.podSpec().path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }
}
