package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real SCIM 2.0 server for one test class: {@code src/test/scim-server/server.js} (scimmy and scimmy-routers on
 * express, installed by the build's {@code npm ci}) run by node on a free port of 127.0.0.1. It accepts three bearer
 * tokens made fresh per start, each for one thing only: reading users, setting active to false, setting it to true.
 */
final class ScimServer implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START_TIMEOUT_SECONDS = 30;

    private final Map<String, String> tokens = Map.of(
            "lookup", "scimmy-lookup-" + UUID.randomUUID(),
            "suspend", "scimmy-suspend-" + UUID.randomUUID(),
            "restore", "scimmy-restore-" + UUID.randomUUID());
    private final HttpClient http = HttpClient.newHttpClient();
    private final StringBuffer output = new StringBuffer();
    private Process process;
    private URI root;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path dir = Path.of(System.getProperty("scim-server.dir", "src/test/scim-server"));
        if (!Files.isDirectory(dir.resolve("node_modules/scimmy-routers"))) {
            throw new IllegalStateException("the SCIM test server's packages are not installed in " + dir
                    + "; the build's generate-test-resources phase runs 'npm ci' there");
        }
        ProcessBuilder builder = new ProcessBuilder("node", "server.js", "0").directory(dir.toFile())
                .redirectErrorStream(true);
        tokens.forEach((credential, token) ->
                builder.environment().put(credential.toUpperCase(Locale.ROOT) + "_TOKEN", token));
        process = builder.start();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(listening), "scim-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            root = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stop();
            throw new IllegalStateException("the SCIM test server did not start: " + output, e);
        }
    }

    /** Waits for "listening on http://127.0.0.1:<port>", then echoes what the server says (its 5xx traces). */
    private void read(CompletableFuture<URI> listening) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!listening.isDone() && line.startsWith("listening on ")) {
                    listening.complete(URI.create(line.substring("listening on ".length()).trim()));
                } else {
                    output.append(line).append('\n');
                    System.out.println("[scim-server] " + line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        listening.completeExceptionally(new IllegalStateException("node exited with " + exitCode()));
    }

    private String exitCode() {
        try {
            return String.valueOf(process.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    /** Closing its stdin ends the server (it exits on end of input); a server that does not is destroyed. */
    private void stop() throws IOException, InterruptedException {
        if (process == null) {
            return;
        }
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The SCIM base URL, {@code http://127.0.0.1:<port>/scim/v2}. */
    String baseUrl() {
        return root + "/scim/v2";
    }

    /** The token the server accepts for one credential ({@code lookup}, {@code suspend}, {@code restore}). */
    String token(String credential) {
        return tokens.get(credential);
    }

    /** Creates a user through scimmy's own write path (a test-only endpoint, outside the SCIM surface); its id. */
    String createUser(ObjectNode user) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(root + "/test/users"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(user.toString())).build());
        JsonNode created = readTree(response.body());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("the SCIM test server refused the user " + user + ": " + created);
        }
        return created.path("id").asText();
    }

    void deleteAllUsers() {
        send(HttpRequest.newBuilder(URI.create(root + "/test/users")).DELETE().build());
    }

    /** Reads a user with the lookup token, as a SCIM client would. */
    JsonNode user(String id) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/Users/" + id))
                .header("Authorization", "Bearer " + token("lookup")).GET().build());
        return readTree(response.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
