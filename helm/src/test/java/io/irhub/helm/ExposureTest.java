package io.irhub.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.helm.HelmChart.Rendered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.irhub.helm.HelmChart.ci;
import static io.irhub.helm.HelmChart.render;
import static io.irhub.helm.HelmChart.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who reaches the hub and whom the hub reaches: Service, Ingress, ServiceMonitor, NetworkPolicy. */
class ExposureTest {

    @Test
    void serviceExposesBothPortsToHubPodsOnly() {
        JsonNode service = render().one("Service");
        assertThat(service.path("spec").path("type").asText()).isEqualTo("ClusterIP");
        assertThat(service.path("spec").path("selector").path("app.kubernetes.io/component").asText()).isEqualTo("hub");
        List<String> ports = new ArrayList<>();
        service.path("spec").path("ports").forEach(p -> ports.add(
                p.path("name").asText() + " " + p.path("port").asInt() + "->" + p.path("targetPort").asText()));
        assertThat(ports).containsExactly("http 8080->http", "management 9876->management");
    }

    @Test
    void ingressRoutesOnlyTheHubsPublicPathsWithTls() {
        JsonNode ingress = render(ci("full-production-values.yaml")).one("Ingress");
        JsonNode spec = ingress.path("spec");
        assertThat(spec.path("ingressClassName").asText()).isEqualTo("nginx");
        assertThat(spec.path("tls").get(0).path("secretName").asText()).isEqualTo("irhub-tls");
        assertThat(spec.path("tls").get(0).path("hosts")).extracting(JsonNode::asText).containsExactly("irhub.acme.example");
        JsonNode rule = spec.path("rules").get(0);
        assertThat(rule.path("host").asText()).isEqualTo("irhub.acme.example");
        List<String> paths = new ArrayList<>();
        for (JsonNode p : rule.path("http").path("paths")) {
            assertThat(p.path("pathType").asText()).isEqualTo("Prefix");
            assertThat(p.path("backend").path("service").path("name").asText()).isEqualTo("irhub");
            assertThat(p.path("backend").path("service").path("port").path("number").asInt()).isEqualTo(8080);
            paths.add(p.path("path").asText());
        }
        // this scenario keeps the operator API inside the cluster
        assertThat(paths).containsExactly("/hooks", "/slack/interactions");
    }

    @Test
    void ingressDefaultsToHooksSlackAndApiAndNeverObserve(@TempDir Path dir) {
        JsonNode ingress = render(values(dir, "ingress.yaml",
                "ingress:\n  enabled: true\n  hosts: [irhub.example.org]\n")).one("Ingress");
        List<String> paths = new ArrayList<>();
        ingress.path("spec").path("rules").get(0).path("http").path("paths").forEach(p -> paths.add(p.path("path").asText()));
        assertThat(paths).containsExactly("/hooks", "/slack/interactions", "/api");
        assertThat(ingress.path("spec").has("tls")).isFalse();
        assertThat(render().all("Ingress")).isEmpty();
    }

    @Test
    void serviceMonitorScrapesTheManagementPort() {
        JsonNode monitor = render(ci("full-production-values.yaml")).one("ServiceMonitor");
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("port").asText()).isEqualTo("management");
        assertThat(endpoint.path("path").asText()).isEqualTo("/observe/metrics");
        assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
        assertThat(monitor.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/component").asText())
                .isEqualTo("hub");
        assertThat(render().all("ServiceMonitor")).isEmpty();
    }

    @Test
    void networkPolicyLetsInWebhooksAndMonitoringOnly() {
        JsonNode policy = render(ci("full-production-values.yaml")).one("NetworkPolicy");
        JsonNode spec = policy.path("spec");
        assertThat(spec.path("policyTypes")).extracting(JsonNode::asText).containsExactly("Ingress", "Egress");
        assertThat(spec.path("podSelector").path("matchLabels").path("app.kubernetes.io/component").asText())
                .isEqualTo("hub");

        JsonNode ingress = spec.path("ingress");
        assertThat(ingress).hasSize(2);
        assertThat(ingress.get(0).path("ports").get(0).path("port").asText()).isEqualTo("http");
        assertThat(ingress.get(0).path("from").get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText()).isEqualTo("ingress-nginx");
        assertThat(ingress.get(1).path("ports").get(0).path("port").asText()).isEqualTo("management");
        assertThat(ingress.get(1).path("from").get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText()).isEqualTo("monitoring");
        assertThat(ingress.get(1).path("from").get(1).path("podSelector").path("matchLabels")
                .path("app.kubernetes.io/component").asText()).as("the helm test pod").isEqualTo("test");
    }

    @Test
    void networkPolicyEgressGoesOnlyToDnsVendorsPostgresAndKafka() {
        JsonNode egress = render(ci("full-production-values.yaml")).one("NetworkPolicy").path("spec").path("egress");
        List<String> rules = new ArrayList<>();
        for (JsonNode rule : egress) {
            // a rule without `to` would allow every destination on its ports
            assertThat(rule.path("to").isArray() && !rule.path("to").isEmpty()).as(rule.toString()).isTrue();
            rules.add(describe(rule));
        }
        assertThat(rules).containsExactly(
                "ns kube-system/k8s-app=kube-dns -> 53/UDP,53/TCP",
                "198.51.100.0/24 -> 443/TCP",
                "203.0.113.0/24 -> 443/TCP",
                "ns databases/app.kubernetes.io/name=irhub-db -> 5432/TCP",
                "10.20.0.0/16 -> 9093/TCP");
    }

    @Test
    void networkPolicyWithAnExternalStoreButNoRouteToItIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> render(ci("existing-secrets-values.yaml"),
                values(dir, "np.yaml", "networkPolicy:\n  enabled: true\n")))
                .hasMessageContaining("networkPolicy.egress.postgres");
    }

    @Test
    void networkPolicyIsOptional() {
        assertThat(render().all("NetworkPolicy")).isEmpty();
        assertThat(render(ci("existing-secrets-values.yaml")).all("NetworkPolicy")).isEmpty();
    }

    private static String describe(JsonNode rule) {
        List<String> to = new ArrayList<>();
        for (JsonNode peer : rule.path("to")) {
            if (peer.has("ipBlock")) {
                to.add(peer.path("ipBlock").path("cidr").asText());
            } else {
                String ns = peer.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText();
                List<String> labels = new ArrayList<>();
                peer.path("podSelector").path("matchLabels").fields()
                        .forEachRemaining(l -> labels.add(l.getKey() + "=" + l.getValue().asText()));
                to.add("ns " + ns + "/" + String.join(",", labels));
            }
        }
        List<String> ports = new ArrayList<>();
        rule.path("ports").forEach(p -> ports.add(p.path("port").asText() + "/" + p.path("protocol").asText()));
        return String.join(" ", to) + " -> " + String.join(",", ports);
    }
}
