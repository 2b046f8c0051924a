package io.irhub.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal, fast Okta on 127.0.0.1 (the JDK HttpServer, with {@code sun.net.httpserver.nodelay=true}: without it
 * every answer waits ~40 ms for a delayed ACK and the stand-in, not the hub, is measured).
 *
 * <ul>
 * <li>{@code POST /oauth2/v1/token}: a bearer token named after the requested scope (no signature check: the hub's own
 * tests prove the client assertion; here it would only cost CPU the hub needs)</li>
 * <li>{@code GET /api/v1/users/{login or id}}: always ACTIVE, id {@code 00u} + base64url(login)</li>
 * <li>{@code POST /api/v1/users/{id}/lifecycle/suspend}: 200; the moment the answer is written is the containment
 * time, reported to the listener with the login</li>
 * <li>{@code DELETE /api/v1/users/{id}/sessions}: 204</li>
 * </ul>
 * An optional fixed delay is added to every API call (not to token requests).
 */
final class OktaStandIn implements AutoCloseable {
    static final String READ_TOKEN = "bench-read-token";
    static final String MANAGE_TOKEN = "bench-manage-token";
    private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

    /** Told of every suspend answered: the login and {@link System#nanoTime()} right after the answer went out. */
    interface SuspendListener {
        void suspended(String login, long nanoTime);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final long latencyMillis;
    private volatile SuspendListener listener = (login, t) -> { };

    final LongAdder tokenRequests = new LongAdder();
    final LongAdder lookups = new LongAdder();
    final LongAdder suspends = new LongAdder();
    final LongAdder sessionClears = new LongAdder();
    final LongAdder refused = new LongAdder();

    OktaStandIn(int threads, long latencyMillis) throws IOException {
        this.latencyMillis = latencyMillis;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "okta-stand-in-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static void requireNoDelay() {
        if (!Boolean.getBoolean("sun.net.httpserver.nodelay")) {
            throw new IllegalStateException("start the bench JVM with -Dsun.net.httpserver.nodelay=true: without it "
                    + "the JDK HttpServer stalls ~40 ms per answer on loopback and measures itself");
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void listener(SuspendListener l) {
        this.listener = l;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            byte[] body = drain(ex.getRequestBody());
            if (method.equals("POST") && path.equals("/oauth2/v1/token")) {
                tokenRequests.increment();
                String form = new String(body, StandardCharsets.UTF_8);
                String scope = form.contains("scope=okta.users.read") ? "okta.users.read" : "okta.users.manage";
                String token = scope.equals("okta.users.read") ? READ_TOKEN : MANAGE_TOKEN;
                json(ex, 200, ("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + token
                        + "\",\"scope\":\"" + scope + "\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.startsWith("/api/v1/users/")) {
                json(ex, 404, "{\"errorCode\":\"E0000022\",\"errorSummary\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String rest = path.substring("/api/v1/users/".length());
            int slash = rest.indexOf('/');
            String who = URLDecoder.decode(slash < 0 ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
            String tail = slash < 0 ? "" : rest.substring(slash);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            pause();
            if (method.equals("GET") && tail.isEmpty()) {
                if (!("Bearer " + READ_TOKEN).equals(auth) && !("Bearer " + MANAGE_TOKEN).equals(auth)) {
                    unauthorized(ex);
                    return;
                }
                lookups.increment();
                String login = who.startsWith("00u") ? Signals.loginOfOktaId(who) : who;
                if (login == null) {
                    json(ex, 404, "{\"errorCode\":\"E0000007\",\"errorSummary\":\"Not found\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                json(ex, 200, ("{\"id\":\"" + Signals.oktaId(login) + "\",\"status\":\"ACTIVE\","
                        + "\"created\":\"2024-01-10T09:00:00.000Z\",\"type\":{\"id\":\"oty1\"},"
                        + "\"profile\":{\"firstName\":\"Bench\",\"lastName\":\"User\",\"login\":\"" + login
                        + "\",\"email\":\"" + login + "\"}}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!("Bearer " + MANAGE_TOKEN).equals(auth)) {
                unauthorized(ex);
                return;
            }
            if (method.equals("POST") && tail.equals("/lifecycle/suspend")) {
                json(ex, 200, EMPTY_JSON);
                long confirmed = System.nanoTime();
                suspends.increment();
                String login = Signals.loginOfOktaId(who);
                if (login != null) {
                    listener.suspended(login, confirmed);
                }
                return;
            }
            if (method.equals("DELETE") && tail.equals("/sessions")) {
                sessionClears.increment();
                ex.sendResponseHeaders(204, -1);
                return;
            }
            json(ex, 404, "{\"errorCode\":\"E0000022\",\"errorSummary\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void pause() {
        if (latencyMillis > 0) {
            try {
                Thread.sleep(latencyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void unauthorized(HttpExchange ex) throws IOException {
        refused.increment();
        json(ex, 401, "{\"errorCode\":\"E0000011\",\"errorSummary\":\"Invalid token provided\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] drain(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static void json(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
