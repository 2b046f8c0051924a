package io.irhub.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The incident timeline page in headless Chromium, on a real incident made in this test: listed, opened, showing who
 * approved and what changed. The screenshot stays in target/ as the test's artifact.
 */
class UiBrowserTest {
    static final String OPERATOR = "ui-operator-token-for-tests-5c3a";

    @Test
    void theTimelinePageShowsARealIncident() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium is needed (apt-get install chromium; .ci/run installs it)").exists();
        HubFixture fixture = new HubFixture();
        String config = fixture.config() + """
                api:
                  tokens:
                    - {name: soc-lead, token: "${env:OPERATOR_TOKEN}", role: operator}
                """;
        Map<String, String> env = new HashMap<>(fixture.env());
        env.put("OPERATOR_TOKEN", OPERATOR);
        try (HubProcess hub = new HubProcess(HubFixture.workDir("ui"), config, env)) {
            hub.start();
            var r = hub.post("/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN,
                    HubFixture.splunkAlert("sid-ui", "Needs approval: UI check", "bob@example.com", "high"));
            String corr = new ObjectMapper().readTree(r.body()).get("accepted").get(0).asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> !fixture.strings(
                    "SELECT plan_id::text FROM approval_request WHERE correlation_id = '" + corr + "'").isEmpty());
            String plan = fixture.strings("SELECT plan_id::text FROM approval_request WHERE correlation_id = '" + corr + "'").get(0);
            var approve = HubProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + hub.port + "/api/plans/" + plan + "/approve"))
                    .header("Authorization", "Bearer " + OPERATOR).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(approve.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> fixture.count(
                    "SELECT count(*) FROM action WHERE state = 'succeeded' AND correlation_id = '" + corr + "'") == 1);

            Path screenshot = Path.of("target", "ui-timeline.png").toAbsolutePath();
            Process node = new ProcessBuilder("node", "timeline.mjs", "http://127.0.0.1:" + hub.port, OPERATOR, corr,
                    screenshot.toString()).directory(Path.of("src", "test", "browser").toFile()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).as(out).isZero();
            JsonNode shown = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
            assertThat(shown.get("listed").asInt()).isEqualTo(1);
            assertThat(shown.get("detection").asText()).isEqualTo("Needs approval: UI check");
            assertThat(shown.get("approvals").toString()).contains("approved by api:soc-lead");
            assertThat(shown.get("actions").toString()).contains("suspend").contains("user:bob@example.com").contains("succeeded");
            List<String> stages = new ObjectMapper().convertValue(shown.get("stages"), List.class);
            assertThat(stages).contains("signal-accepted", "plan", "approval", "action-intent", "action-outcome");
            assertThat(shown.get("errors")).isEmpty();
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        } finally {
            fixture.okta.close();
        }
    }
}
