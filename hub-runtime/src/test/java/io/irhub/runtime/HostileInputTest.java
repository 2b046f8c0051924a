package io.irhub.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input over the wire, against the running hub: every refusal is a 4xx with a short JSON reason, changes
 * nothing but its own audit row, echoes no request header, and the hub never fetches a URL that came in an alert.
 * (The parsers themselves are fuzzed in {@link IntakeFuzzTest}.)
 */
class HostileInputTest {
    static HubFixture fixture;
    static HubProcess hub;
    /** Where alert fields point: a fetch of any of those URLs would land here. */
    static WireMockServer canary;

    @BeforeAll
    static void start() {
        canary = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        canary.start();
        fixture = new HubFixture();
        hub = fixture.hub(HubFixture.workDir("hostile")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
        fixture.okta.close();
        canary.stop();
    }

    private static String hook() {
        return "/hooks/splunk-prod/" + HubFixture.SPLUNK_TOKEN;
    }

    private static long stateRows() throws Exception {
        return fixture.count("SELECT (SELECT count(*) FROM signal) + (SELECT count(*) FROM plan) + (SELECT count(*) FROM action)");
    }

    @Test
    void hostileBodiesAreRefusedWithA4xxAndChangeNothing() throws Exception {
        long before = stateRows();
        long refusedBefore = fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-refused'");
        List<String> bodies = List.of(
                "[".repeat(4000) + "]".repeat(4000),                                    // deep nesting, under the size limit
                "{\"a\":".repeat(1000) + "1" + "}".repeat(1000),
                "{\"sid\":\"x\",\"result\":{\"user\":\"alice@example.com\"",              // truncated
                "{\"sid\":\"\\u0000\",\"search_name\":null,\"result\":[]}",
                "not json at all",
                "",
                "x".repeat(5000));                                                       // over the source's 4096 bytes
        for (String body : bodies) {
            HttpResponse<String> r = hub.post(hook(), body);
            assertThat(r.statusCode()).as("%.40s", body).isBetween(400, 499);
            assertThat(r.body()).startsWith("{\"error\":").hasSizeLessThan(1000).doesNotContain(HubFixture.SPLUNK_TOKEN);
        }
        // invalid UTF-8, and a wrong token
        HttpResponse<String> bytes = HubProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + hook()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '{'})).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bytes.statusCode()).isBetween(400, 499);
        assertThat(hub.post("/hooks/splunk-prod/not-the-token", HubFixture.splunkAlert("sid-h", "Compromised account",
                "alice@example.com", "high")).statusCode()).isEqualTo(401);

        assertThat(stateRows()).isEqualTo(before);
        assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-refused'"))
                .isEqualTo(refusedBefore + bodies.size() + 2);
        assertThat(hub.healthy()).isTrue();
    }

    @Test
    void aBodyOverTheServerCapIsRefusedWithoutBeingKept() throws Exception {
        long before = stateRows();
        byte[] big = new byte[17 * 1024 * 1024];   // over server.max-body-bytes (16 MiB)
        java.util.Arrays.fill(big, (byte) 'a');
        int status;
        try {
            status = HubProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + hook()))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException closed) {
            status = 413;   // the server may answer and close before the client finished sending
        }
        assertThat(status).isEqualTo(413);
        assertThat(stateRows()).isEqualTo(before);
        assertThat(hub.healthy()).isTrue();
    }

    @Test
    void noRequestHeaderIsEchoedAndCrlfInAHeaderValueIsRefused() throws Exception {
        String body = HubFixture.splunkAlert("sid-headers", "Compromised account", "carol@example.com", "high");
        HttpResponse<String> r = HubProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + hook()))
                .header("Content-Type", "application/json").header("X-Injected-Probe", "probe-value-7f3a")
                .header("Set-Cookie", "session=stolen")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-Injected-Probe") || h.equalsIgnoreCase("Set-Cookie"));
        assertThat(r.headers().map().values().toString()).doesNotContain("probe-value-7f3a").doesNotContain(HubFixture.SPLUNK_TOKEN);

        // a raw request whose header value carries a bare CR LF and a second request line: the server must not
        // treat the smuggled part as a header or as a request of its own
        long before = fixture.count("SELECT count(*) FROM signal");
        String smuggled = "POST " + hook() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "X-Probe: a\rX-Evil: 1\r\nContent-Length: 2\r\n\r\n{}";
        String raw = rawExchange(smuggled);
        assertThat(raw).startsWith("HTTP/1.1 4").doesNotContain("X-Evil");
        assertThat(fixture.count("SELECT count(*) FROM signal")).isEqualTo(before);
    }

    @Test
    void theHubNeverFetchesAUrlThatCameInAnAlert() throws Exception {
        String probe = "http://127.0.0.1:" + canary.port();
        String body = """
                {"sid":"sid-ssrf","search_name":"Compromised account","app":"search","owner":"admin",
                 "results_link":"%s/results?sid=1",
                 "result":{"user":"bob@example.com","src":"%s/src","severity":"high","_time":"1795430400.123",
                           "url":"%s/latest/meta-data/","callback":"%s/callback","count":"3"}}"""
                .formatted(probe, probe, probe, probe);
        assertThat(hub.post(hook(), body).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.count("""
                SELECT count(*) FROM audit_event a JOIN signal s ON s.correlation_id = a.correlation_id
                WHERE s.dedupe_key LIKE 'sid-ssrf%' AND a.stage = 'action-outcome'""") == 2);
        // the link is kept as evidence, and nothing was fetched from it
        assertThat(fixture.strings("SELECT link FROM signal WHERE dedupe_key LIKE 'sid-ssrf%'")).containsExactly(probe + "/results?sid=1");
        assertThat(canary.getAllServeEvents()).isEmpty();
    }

    /** Sends bytes as they are (no client normalization) and returns what the server answered. */
    private static String rawExchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", hub.port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
