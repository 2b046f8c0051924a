package io.irhub.connector.api.http;

import com.sun.net.httpserver.HttpServer;
import io.irhub.connector.api.http.TransportFailure.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VendorHttpTest {
    private static final String TOKEN = "s3cr3t-t0ken";

    private HttpServer server;
    private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
    private final List<Long> calledAt = new ArrayList<>();
    private volatile String retryAfter;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            synchronized (calledAt) {
                calledAt.add(System.nanoTime());
            }
            Integer status = answers.poll();
            if (status != null && status == 429 && retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/users/" + TOKEN);
    }

    private VendorHttp.Builder http() {
        return VendorHttp.builder("Acme").timeout(Duration.ofSeconds(2)).maxRetries(2).backoff(Duration.ofMillis(1));
    }

    private static HttpRequest get(VendorHttp http, URI uri) {
        return http.request(uri).header("Authorization", "Bearer " + TOKEN).GET().build();
    }

    @Test
    void serverErrorsAreRetriedUntilAnAnswerIsNotWorthRetrying() throws Exception {
        answers.add(503);
        answers.add(500);
        VendorHttp http = http().build();

        HttpResponse<String> response = http.send("GET /api/users/{id}", () -> get(http, url()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(calledAt).hasSize(3);
    }

    @Test
    void theLastRetryableAnswerIsReturnedOnceTheRetriesAreUsedUp() throws Exception {
        answers.add(502);
        answers.add(502);
        answers.add(502);
        VendorHttp http = http().build();

        assertThat(http.send("GET /x", () -> get(http, url())).statusCode()).isEqualTo(502);
        assertThat(calledAt).hasSize(3);
        assertThat(http.attempts()).isEqualTo("after 3 attempts");
    }

    @Test
    void aRateLimitIsWaitedOutAsAskedAndNotRetriedWhenItAsksTooMuch() throws Exception {
        retryAfter = "1";
        answers.add(429);
        VendorHttp http = http().rateLimitWait(r -> RateLimitHeaders.retryAfter(r, java.time.Clock.systemUTC()),
                Duration.ofSeconds(30)).build();

        assertThat(http.send("GET /x", () -> get(http, url())).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(calledAt.get(1) - calledAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        retryAfter = "120";
        answers.add(429);
        calledAt.clear();
        HttpResponse<String> response = http.send("GET /x", () -> get(http, url()));
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(calledAt).hasSize(1);
        assertThat(http.waitBeyondCap(response)).contains(Duration.ofSeconds(120));
    }

    @Test
    void onlyTheStatusesAskedForAreRetried() throws Exception {
        answers.add(503);
        List<VendorHttp.Retrying> retries = new ArrayList<>();
        VendorHttp http = http().retryStatus(status -> status >= 500 && status != 503).onRetry(retries::add).build();

        assertThat(http.send("GET /x", () -> get(http, url())).statusCode()).isEqualTo(503);
        assertThat(calledAt).hasSize(1);
        assertThat(retries).isEmpty();
    }

    @Test
    void eachRetryIsToldAndTheBackoffDoubles() throws Exception {
        answers.add(500);
        answers.add(500);
        List<VendorHttp.Retrying> retries = new ArrayList<>();
        VendorHttp http = http().backoff(Duration.ofMillis(5)).onRetry(retries::add).build();

        http.send("GET /x", () -> get(http, url()));

        assertThat(retries).extracting(VendorHttp.Retrying::retry).containsExactly(1, 2);
        assertThat(retries).extracting(VendorHttp.Retrying::reason).containsOnly("HTTP 500");
        assertThat(retries).extracting(VendorHttp.Retrying::delay)
                .containsExactly(Duration.ofMillis(5), Duration.ofMillis(10));
    }

    @Test
    void aRefusedConnectionIsRetriedThenReportedWithoutTheUrlsPath() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        VendorHttp http = http().build();
        URI uri = URI.create("http://127.0.0.1:" + closedPort + "/hooks/" + TOKEN);

        assertThatThrownBy(() -> http.send("the reply", () -> get(http, uri)))
                .isInstanceOfSatisfying(TransportFailure.class, e -> {
                    assertThat(e.fault()).isEqualTo(Fault.CONNECTION_REFUSED);
                    assertThat(e.getMessage()).isEqualTo(
                            "cannot reach Acme at 127.0.0.1 for the reply after 3 attempts: connection refused");
                    assertThat(e.details()).containsEntry("transport_error", "connection-refused");
                });
    }

    @Test
    void aResetConnectionIsNamed() throws Exception {
        try (RawServer raw = new RawServer(socket -> {
            socket.setSoLinger(true, 0);
            socket.getInputStream().read(new byte[512]);
        })) {
            VendorHttp http = http().maxRetries(1).build();
            // a POST: the JDK's client repeats an idempotent request by itself once when a connection drops early
            assertThatThrownBy(() -> http.send("POST /x", () -> http.request(raw.url("http"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build()))
                    .isInstanceOfSatisfying(TransportFailure.class, e -> {
                        assertThat(e.fault()).isIn(Fault.CONNECTION_RESET, Fault.CONNECTION_CLOSED);
                        assertThat(e.getMessage()).contains("after 2 attempts").doesNotContain(TOKEN);
                    });
            assertThat(raw.connections()).isEqualTo(2);
        }
    }

    @Test
    void anHttpsUrlOnAPlainHttpServerFailsTheHandshakeOnceAndIsNotRetried() throws Exception {
        try (RawServer raw = new RawServer(socket -> {
            socket.getInputStream().read(new byte[512]);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        })) {
            VendorHttp http = http().build();
            assertThatThrownBy(() -> http.send("POST /oauth2/token", () -> http.request(raw.url("https"))
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build()))
                    .isInstanceOfSatisfying(TransportFailure.class, e -> {
                        assertThat(e.fault()).isEqualTo(Fault.TLS);
                        assertThat(e.getMessage()).startsWith("cannot reach Acme at 127.0.0.1 for POST /oauth2/token "
                                + "after 1 attempt: TLS handshake failed: the server does not speak TLS");
                    });
            assertThat(raw.connections()).isEqualTo(1);
        }
    }

    @Test
    void aLateAnswerIsATimeout() throws Exception {
        try (RawServer raw = new RawServer(socket -> {
            socket.getInputStream().read(new byte[512]);
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            VendorHttp http = http().timeout(Duration.ofMillis(200)).maxRetries(0).build();
            assertThatThrownBy(() -> http.send("GET /x", () -> get(http, raw.url("http"))))
                    .isInstanceOfSatisfying(TransportFailure.class, e -> {
                        assertThat(e.fault()).isEqualTo(Fault.TIMEOUT);
                        assertThat(e.getMessage()).endsWith("after 1 attempt: no answer within 200 ms");
                    });
        }
    }

    @Test
    void anInterruptedCallStopsAtOnceAndKeepsTheInterrupt() {
        answers.add(500);
        VendorHttp http = http().backoff(Duration.ofSeconds(30)).build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> http.send("GET /x", () -> get(http, url())))
                    .isInstanceOfSatisfying(TransportFailure.class, e -> {
                        assertThat(e.fault()).isEqualTo(Fault.INTERRUPTED);
                        assertThat(e.getMessage()).isEqualTo("interrupted while calling Acme for GET /x");
                    });
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void faultsAreToldByTheExceptionsCauses() {
        assertThat(TransportFailure.classify(new IOException("HTTP/1.1 header parser received no bytes",
                new java.net.SocketException("Connection reset")))).isEqualTo(Fault.CONNECTION_RESET);
        assertThat(TransportFailure.classify(new IOException(new java.nio.channels.ClosedChannelException())))
                .isEqualTo(Fault.CONNECTION_CLOSED);
        assertThat(TransportFailure.classify(new java.net.ConnectException()))
                .isEqualTo(Fault.CONNECTION_REFUSED);
        assertThat(TransportFailure.classify(new java.net.ProtocolException("protocol error: Frame type(100)")))
                .isEqualTo(Fault.MALFORMED_ANSWER);
        IOException untrusted = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new java.security.cert.CertificateException("unable to find valid certification path"));
        assertThat(TransportFailure.classify(untrusted)).isEqualTo(Fault.TLS);
        assertThat(TransportFailure.reason(Fault.TLS, untrusted, 1000)).startsWith(
                "TLS handshake failed: certificate not trusted");
        IOException otherName = new javax.net.ssl.SSLHandshakeException("No subject alternative names present");
        otherName.initCause(new java.security.cert.CertificateException("No subject alternative names present"));
        assertThat(TransportFailure.reason(Fault.TLS, otherName, 1000))
                .isEqualTo("TLS handshake failed: the certificate does not name the host");
    }

    @Test
    void anUnknownFaultIsNamedByItsClassWithoutUrls() {
        IOException odd = new IOException("proxy said no to https://hooks.example/T0/" + TOKEN + " today");
        Fault fault = TransportFailure.classify(odd);
        assertThat(fault).isEqualTo(Fault.OTHER);
        assertThat(TransportFailure.reason(fault, odd, 1000)).isEqualTo("IOException proxy said no to <url> today");
    }

    @Test
    void theRequestCarriesTheTimeoutAndUserAgent() {
        VendorHttp http = http().userAgent("irhub/test").timeout(Duration.ofMillis(1234)).build();
        HttpRequest request = http.request(url()).build();
        assertThat(request.timeout()).isEqualTo(Optional.of(Duration.ofMillis(1234)));
        assertThat(request.headers().firstValue("User-Agent")).contains("irhub/test");
    }

    /** A TCP port that does {@code handler} with each connection and closes it. */
    private static final class RawServer implements AutoCloseable {
        interface Handler {
            void handle(Socket socket) throws IOException;
        }

        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor;

        RawServer(Handler handler) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        connections.incrementAndGet();
                        handler.handle(accepted);
                    } catch (IOException e) {
                        // closed, or the client went away
                    }
                }
            }, "raw-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI url(String scheme) {
            return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort() + "/x/" + TOKEN);
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
