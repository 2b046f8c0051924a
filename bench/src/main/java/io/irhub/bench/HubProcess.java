package io.irhub.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The packaged hub ({@code java -jar irhub.jar run --config irhub.yaml}) in a child process: the generic source
 * {@code bench} (bearer token), the Okta target {@code okta-bench} pointing at the stand-in (separate lookup and
 * suspend service apps with RSA keys made here, PEM in environment variables), and one auto policy that suspends.
 */
final class HubProcess implements AutoCloseable {
    static final String SOURCE = "bench";
    static final String TARGET = "okta-bench";

    final int port = freePort();
    final int managementPort = freePort();
    final Path dir;
    final Path config;
    final Path log;
    final String token = "bench-" + UUID.randomUUID();
    private final Path jar;
    private final Map<String, String> env = new HashMap<>();
    private final List<String> javaOpts;
    private final String jfrOptions;
    private Process process;

    /**
     * @param poolSize   store.pool-size, or null for the hub's default
     * @param partitions pipeline.partitions, or null for the hub's default
     * @param jfrFile    a flight recording of the whole hub run (JAVA_TOOL_OPTIONS), or null
     */
    HubProcess(Path jar, Path dir, String jdbcUrl, String user, String oktaUrl, Integer poolSize, Integer partitions,
               List<String> javaOpts, Path jfrFile) throws IOException {
        this.jar = jar;
        this.dir = Files.createDirectories(dir);
        this.config = dir.resolve("irhub.yaml");
        this.log = dir.resolve("hub.log");
        this.javaOpts = javaOpts;
        this.jfrOptions = jfrFile == null ? null
                : "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfrFile.toAbsolutePath();
        env.put("BENCH_SOURCE_TOKEN", token);
        env.put("OKTA_LOOKUP_KEY", pem(rsa()));
        env.put("OKTA_SUSPEND_KEY", pem(rsa()));
        StringBuilder yaml = new StringBuilder();
        yaml.append("""
                # written by the irhub bench (bench/README.md); secrets come from the environment
                server:
                  host: 127.0.0.1
                  port: %d
                management:
                  host: 127.0.0.1
                  port: %d
                store:
                  jdbc-url: %s
                  username: %s
                """.formatted(port, managementPort, jdbcUrl, user));
        if (poolSize != null) {
            yaml.append("  pool-size: ").append(poolSize).append('\n');
        }
        if (partitions != null) {
            yaml.append("pipeline:\n  partitions: ").append(partitions).append('\n');
        }
        yaml.append("""
                sources:
                  - name: %s
                    type: generic
                    config:
                      bearer-token: ${env:BENCH_SOURCE_TOKEN}
                      max-body-bytes: 4194304
                targets:
                  - name: %s
                    type: okta
                    config:
                      org-url: %s
                      client-id: bench-lookup-app
                      private-key: ${env:OKTA_LOOKUP_KEY}
                      lookup-client-id: bench-lookup-app
                      lookup-private-key: ${env:OKTA_LOOKUP_KEY}
                      suspend-client-id: bench-suspend-app
                      suspend-private-key: ${env:OKTA_SUSPEND_KEY}
                policies:
                  - name: bench-compromised-account
                    match:
                      source: %s
                      detection: "Compromised*"
                      min-severity: high
                      identity-kinds: [user]
                    mode: auto
                    actions:
                      - {verb: suspend, target: %s}
                """.formatted(SOURCE, TARGET, oktaUrl, SOURCE, TARGET));
        Files.writeString(config, yaml.toString());
    }

    String hookUrl() {
        return "http://127.0.0.1:" + port + "/hooks/" + SOURCE;
    }

    String metricsUrl() {
        return "http://127.0.0.1:" + managementPort + "/observe/metrics";
    }

    long pid() {
        return process.pid();
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaOpts);
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    HubProcess start(Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command("run", "--config", config.toString()))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        if (jfrOptions != null) {
            pb.environment().put("JAVA_TOOL_OPTIONS", jfrOptions);
        } else {
            pb.environment().remove("JAVA_TOOL_OPTIONS");
        }
        process = pb.start();
        BenchMain.CHILDREN.add(process);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the hub exited with " + process.exitValue() + "; see " + log);
                        }
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            return r.statusCode() == 200 && r.body().contains("UP");
                        } catch (IOException e) {
                            return false;   // not up yet
                        }
                    });
            return this;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException("the hub did not become healthy within " + timeout + "; see " + log);
        }
    }

    /** {@code irhub audit verify --config …}: exit code and output. */
    record Verify(int exitCode, String output) {
    }

    Verify auditVerify(Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command("audit", "verify", "--config", config.toString()))
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return new Verify(-1, "timed out");
        }
        return new Verify(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    }

    /** SIGTERM (Camel Main stops gracefully; the flight recording is dumped), SIGKILL after the timeout. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
