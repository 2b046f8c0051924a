package io.irhub.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.helm.HelmChart.Rendered;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.irhub.helm.HelmChart.ci;
import static io.irhub.helm.HelmChart.render;
import static org.assertj.core.api.Assertions.assertThat;

/** irhub.yaml and policies.yaml in the ConfigMap; credentials only ever in Secrets. */
class ConfigAndSecretsTest {
    /** The top-level sections irhub.yaml may have (hub-runtime's IrhubConfig fails on any other). */
    static final Set<String> IRHUB_YAML_SECTIONS = Set.of("server", "management", "store", "pipeline", "api",
            "kafka", "sources", "targets", "approval-channels", "policy-files", "policies", "guards", "approval");

    static List<Named<Path>> everyScenario() {
        return DeploymentTest.everyScenario();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyScenario")
    void irhubYamlHasOnlyKnownSectionsAndTheChartsListeners(Path scenario) {
        JsonNode config = render(scenario).irhubYaml();
        List<String> sections = new ArrayList<>();
        config.fieldNames().forEachRemaining(sections::add);
        assertThat(IRHUB_YAML_SECTIONS).containsAll(sections);
        // the Service, probes and NetworkPolicy use these ports: the hub must listen there
        assertThat(config.path("server").path("port").asInt()).isEqualTo(8080);
        assertThat(config.path("server").path("host").asText()).isEqualTo("0.0.0.0");
        assertThat(config.path("management").path("port").asInt()).isEqualTo(9876);
        assertThat(config.path("management").path("host").asText()).isEqualTo("0.0.0.0");
    }

    @Test
    void configIsPassedThroughAndPoliciesGoToTheirOwnFile() {
        Rendered r = render(ci("full-production-values.yaml"));
        JsonNode config = r.irhubYaml();
        assertThat(config.path("sources").get(0).path("name").asText()).isEqualTo("splunk-prod");
        assertThat(config.path("sources").get(0).path("config").path("token").asText()).isEqualTo("${env:SPLUNK_TOKEN}");
        assertThat(config.path("targets").get(0).path("config").path("suspend-private-key").asText())
                .isEqualTo("${file:/run/secrets/irhub/okta-main/OKTA_SUSPEND_KEY}");
        assertThat(config.path("approval").path("two-person-for-irreversible").asBoolean()).isTrue();
        assertThat(config.path("guards").path("blast-radius").path("max-actions").asInt()).isEqualTo(50);
        assertThat(config.path("pipeline").path("partitions").asInt()).isEqualTo(12);
        assertThat(config.path("pipeline").path("bus").asText()).isEqualTo("kafka");
        assertThat(config.path("kafka").path("bootstrap-servers").asText()).isNotBlank();
        assertThat(config.path("api").path("tokens").get(0).path("role").asText()).isEqualTo("operator");
        JsonNode topic = config.path("sources").get(1).path("kafka");
        assertThat(topic.path("topic").asText()).isEqualTo("edr-signals");
        assertThat(topic.path("dead-letter-topic").asText()).isEqualTo("irhub-dead-letters");
        assertThat(config.path("store").path("pool-size").asInt()).isEqualTo(20);

        // policy-files are resolved against the config file's folder: /etc/irhub/policies.yaml
        assertThat(config.path("policy-files")).extracting(JsonNode::asText).containsExactly("policies.yaml");
        JsonNode policies = HelmChart.readYaml(r.one("ConfigMap").path("data").path("policies.yaml").asText());
        assertThat(policies.path("policies")).extracting(p -> p.path("name").asText())
                .containsExactly("compromised-account", "suspicious-login");
        assertThat(policies.path("policies").get(0).path("actions").get(0).path("expires-after").asText())
                .isEqualTo("4h");
    }

    @Test
    void withoutPoliciesThereIsNoPolicyFile() {
        Rendered r = render(ci("minimal-values.yaml"));
        assertThat(r.irhubYaml().has("policy-files")).isFalse();
        assertThat(r.one("ConfigMap").path("data").has("policies.yaml")).isFalse();
    }

    @Test
    void emptyConfigSectionsAreLeftOut(@TempDir Path dir) {
        // an empty `approval: {}` would reach the hub as an approval block without a channel
        JsonNode config = render(HelmChart.values(dir, "empty.yaml",
                "config:\n  approval: {}\n  pipeline: {}\n  sources: []\n  guards: {}\n")).irhubYaml();
        List<String> sections = new ArrayList<>();
        config.fieldNames().forEachRemaining(sections::add);
        assertThat(sections).containsExactly("server", "management", "store");
    }

    @Test
    void inlineCredentialsBecomeSecretsAndNeverReachTheConfigMap() {
        Rendered r = render(HelmChart.scenario("inline-secrets-values.yaml"));
        Map<String, String> secretValues = Map.of(
                "SPLUNK_TOKEN", "splunk-token-c0ffee-7f3a9b",
                "OKTA_SUSPEND_KEY", "okta-suspend-key-5e1f2d",
                "OKTA_LOOKUP_KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-lookup-key",
                "API_TOKEN_SOC", "api-token-9d8c7b6a",
                "store", "store-password-4b3a2c",
                "kafka", "kafka-password-1a2b3c");

        String configMap = r.configMapText();
        for (String value : secretValues.values()) {
            assertThat(configMap).as("ConfigMap must not hold a secret value").doesNotContain(value);
            assertThat(configMap).doesNotContain(base64(value));
        }
        // only the references are there
        assertThat(configMap).contains("${env:SPLUNK_TOKEN}", "${env:OKTA_SUSPEND_KEY}", "${env:API_TOKEN_SOC}",
                "${env:IRHUB_KAFKA_SASL_PASSWORD}");
        // nor in the Deployment (no value: in env, only secretKeyRef / envFrom)
        String deployment = r.deployment().toString();
        for (String value : secretValues.values()) {
            assertThat(deployment).doesNotContain(value).doesNotContain(base64(value));
        }

        Map<String, JsonNode> secrets = secretsByName(r);
        assertThat(secrets).containsOnlyKeys("irhub-splunk-prod", "irhub-okta-main", "irhub-api", "irhub-store",
                "irhub-kafka");
        assertThat(decoded(secrets.get("irhub-splunk-prod"))).containsExactly(
                Map.entry("SPLUNK_TOKEN", "splunk-token-c0ffee-7f3a9b"));
        assertThat(decoded(secrets.get("irhub-okta-main")).get("OKTA_LOOKUP_KEY"))
                .startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(decoded(secrets.get("irhub-store"))).containsExactly(Map.entry("password", "store-password-4b3a2c"));
        assertThat(decoded(secrets.get("irhub-kafka"))).containsExactly(
                Map.entry("sasl-password", "kafka-password-1a2b3c"));
        secrets.values().forEach(s -> assertThat(s.path("type").asText()).isEqualTo("Opaque"));

        // each connector instance's credentials in its own Secret, all of them reach the hub as environment
        assertThat(r.container().path("envFrom")).extracting(e -> e.path("secretRef").path("name").asText())
                .containsExactlyInAnyOrder("irhub-splunk-prod", "irhub-okta-main", "irhub-api");
        assertThat(r.env("IRHUB_STORE_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText())
                .isEqualTo("irhub-store");
        assertThat(r.env("IRHUB_KAFKA_SASL_PASSWORD").path("valueFrom").path("secretKeyRef").path("key").asText())
                .isEqualTo("sasl-password");
    }

    @Test
    void noSecretIsRenderedWhenExistingSecretsAreNamed() {
        Rendered r = render(ci("existing-secrets-values.yaml"));
        assertThat(r.all("Secret")).isEmpty();
        assertThat(r.container().path("envFrom")).extracting(e -> e.path("secretRef").path("name").asText())
                .containsExactlyInAnyOrder("splunk-webhook-token", "vault-irhub-token");

        Rendered production = render(ci("full-production-values.yaml"));
        assertThat(production.all("Secret")).isEmpty();
    }

    @Test
    void anExistingSecretWinsOverInlineData() {
        Rendered r = render(Map.of("secrets.splunk-prod.existingSecret", "from-vault-operator"),
                ci("minimal-values.yaml"));
        assertThat(r.all("Secret")).isEmpty();
        assertThat(r.container().path("envFrom").get(0).path("secretRef").path("name").asText())
                .isEqualTo("from-vault-operator");
    }

    private static Map<String, JsonNode> secretsByName(Rendered r) {
        Map<String, JsonNode> byName = new HashMap<>();
        r.all("Secret").forEach(s -> byName.put(s.path("metadata").path("name").asText(), s));
        return byName;
    }

    private static Map<String, String> decoded(JsonNode secret) {
        Map<String, String> data = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = secret.path("data").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            data.put(f.getKey(), new String(Base64.getDecoder().decode(f.getValue().asText()), StandardCharsets.UTF_8));
        }
        return data;
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
