package io.irhub.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rendered manifests against the Kubernetes API's schemas, offline: kubernetes-models (npm) under node, run by
 * src/test/k8s-validate/validate.mjs. Its npm packages are installed by the build (exec-maven-plugin, npm ci).
 */
class KubernetesSchemaTest {
    static final Path VALIDATOR = Path.of(System.getProperty("k8s-validate.dir", "src/test/k8s-validate")).toAbsolutePath();

    record Report(int exitCode, JsonNode json) {
        List<String> status(String status) {
            List<String> found = new ArrayList<>();
            json.path("results").forEach(r -> {
                if (status.equals(r.path("status").asText())) {
                    found.add(r.path("kind").asText() + " " + r.path("errors"));
                }
            });
            return found;
        }
    }

    static List<Named<Path>> everyScenario() {
        return DeploymentTest.everyScenario();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyScenario")
    void renderedManifestsMatchTheKubernetesSchemas(Path scenario, @TempDir Path dir) throws Exception {
        Report report = validate(dir, HelmChart.render(scenario).text());
        assertThat(report.status("invalid")).as(report.json().toPrettyString()).isEmpty();
        assertThat(report.exitCode()).isZero();
        assertThat(report.json().path("valid").asInt()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void everyKindIsCheckedExceptTheServiceMonitorCrd(@TempDir Path dir) throws Exception {
        Report report = validate(dir, HelmChart.render(HelmChart.ci("full-production-values.yaml")).text());
        assertThat(report.status("valid")).extracting(s -> s.split(" ")[0]).containsExactlyInAnyOrder(
                "NetworkPolicy", "PodDisruptionBudget", "ServiceAccount", "ConfigMap", "Service", "Deployment",
                "HorizontalPodAutoscaler", "Ingress");
        // kubernetes-models knows the Kubernetes API's own kinds only; the CRD is skipped by name
        assertThat(report.status("skipped")).extracting(s -> s.split(" ")[0]).containsExactly("ServiceMonitor");
    }

    @Test
    void theHelmTestPodMatchesTheSchemaToo(@TempDir Path dir) throws Exception {
        Report report = validate(dir, HelmChart.renderWithTestHooks().text());
        assertThat(report.status("invalid")).isEmpty();
        assertThat(report.status("valid")).anyMatch(s -> s.startsWith("Pod "));
    }

    @Test
    void theValidatorRejectsWhatKubernetesWould(@TempDir Path dir) throws Exception {
        // proves the checks above can fail: a wrongly typed field, and a kind nobody declared skippable
        Report report = validate(dir, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: "three"
                  selector: {matchLabels: {app: x}}
                  template:
                    spec:
                      containers: [{name: c, image: i, ports: [{containerPort: http}]}]
                ---
                apiVersion: example.com/v1
                kind: Unknown
                metadata: {name: u}
                """);
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.status("invalid")).hasSize(2);
        assertThat(report.json().toString()).contains("/spec/replicas must be integer")
                .contains("containerPort must be integer").contains("no schema for example.com/v1/Unknown");
    }

    private static Report validate(Path dir, String manifests) throws IOException, InterruptedException {
        assertThat(VALIDATOR.resolve("node_modules/kubernetes-models"))
                .as("npm packages of the validator (installed by the build: mvn generate-test-resources)").isDirectory();
        Path input = dir.resolve("manifests.yaml");
        Files.writeString(input, manifests);
        Process process = new ProcessBuilder("node", "validate.mjs", input.toString())
                .directory(VALIDATOR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("validator finished").isTrue();
        return new Report(process.exitValue(), new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8)));
    }
}
