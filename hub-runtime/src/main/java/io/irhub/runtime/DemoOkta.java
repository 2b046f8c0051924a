package io.irhub.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * For {@code irhub demo} only: a local stand-in speaking the Okta endpoints the connector uses, on 127.0.0.1, with
 * users whose status follows suspend and unsuspend. Nothing real is called.
 */
final class DemoOkta implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> status = new ConcurrentHashMap<>();
    private final java.util.List<String> changes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    DemoOkta() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/oauth2/v1/token", x -> {
            String scope = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).contains("okta.users.manage")
                    ? "okta.users.manage" : "okta.users.read";
            send(x, 200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"demo-" + scope + "\",\"scope\":\"" + scope + "\"}");
        });
        server.createContext("/api/v1/users", this::users);
        server.start();
    }

    /** Every status change made, in order, as {@code <login> <suspend|unsuspend>}. */
    java.util.List<String> changes() {
        synchronized (changes) {
            return java.util.List.copyOf(changes);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void users(HttpExchange x) throws IOException {
        String[] parts = x.getRequestURI().getRawPath().split("/");   // "", api, v1, users, {idOrLogin}[, lifecycle, verb | sessions]
        if (parts.length < 5) {
            send(x, 404, "{\"errorCode\":\"E0000007\",\"errorSummary\":\"Not found\"}");
            return;
        }
        String login = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
        if (login.startsWith("00u")) {
            login = status.keySet().stream().filter(l -> id(l).equals(parts[4])).findFirst().orElse(login);
        }
        String current = status.computeIfAbsent(login, l -> "ACTIVE");
        if (parts.length == 7 && parts[5].equals("lifecycle")) {
            if (parts[6].equals("suspend") && current.equals("ACTIVE")) {
                status.put(login, "SUSPENDED");
                changes.add(login + " suspend");
            } else if (parts[6].equals("unsuspend") && current.equals("SUSPENDED")) {
                status.put(login, "ACTIVE");
                changes.add(login + " unsuspend");
            } else {
                send(x, 400, "{\"errorCode\":\"E0000001\",\"errorSummary\":\"Api validation failed\"}");
                return;
            }
            send(x, 200, "{}");
        } else if (parts.length == 6 && parts[5].equals("sessions")) {
            x.sendResponseHeaders(204, -1);
            x.close();
        } else {
            send(x, 200, "{\"id\":\"" + id(login) + "\",\"status\":\"" + status.get(login) + "\",\"profile\":{\"login\":\""
                    + login + "\",\"email\":\"" + login + "\"}}");
        }
    }

    private static String id(String login) {
        return "00u" + Integer.toHexString(login.hashCode() & 0x7fffffff);
    }

    private static void send(HttpExchange x, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
