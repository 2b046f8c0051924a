package io.irhub.connector.api.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A call that got no HTTP answer: the connection was refused, reset or closed, the answer was garbled or late, or the
 * TLS handshake failed. The message reads the same for every connector ({@code cannot reach Okta at acme.okta.com
 * for GET /api/v1/users/… after 3 attempts: connection reset by the server}) and is safe to show and audit: it names
 * the service, the host and what was being done, never a header, a body or the exception's own text (which may quote
 * a URL whose path is a credential, or bytes the server sent).
 */
public final class TransportFailure extends Exception {

    /** What went wrong, for messages and for an outcome's {@code transport_error} detail. */
    public enum Fault {
        /** No TCP connection: nothing listens there, or a firewall refused. */
        CONNECTION_REFUSED("connection-refused", true),
        /** The host name does not resolve. */
        UNKNOWN_HOST("unknown-host", true),
        /** No connection within the timeout. */
        CONNECT_TIMEOUT("connect-timeout", true),
        /** Connected, but no complete answer within the timeout. */
        TIMEOUT("timeout", true),
        /** The server (or something between) reset the connection. */
        CONNECTION_RESET("connection-reset", true),
        /** The server closed the connection before a complete answer. */
        CONNECTION_CLOSED("connection-closed", true),
        /** What came back is not HTTP as the client reads it (a broken chunk, a garbled status line). */
        MALFORMED_ANSWER("malformed-answer", true),
        /**
         * The TLS handshake failed: the certificate is not trusted, expired or for another name, or the server does not
         * speak TLS. Not retried: it fails the same way until someone changes the certificate or the configuration.
         */
        TLS("tls-handshake", false),
        /** The connector's thread was interrupted (the hub is stopping). */
        INTERRUPTED("interrupted", false),
        /** Any other I/O error. */
        OTHER("io-error", true);

        private final String id;
        private final boolean retryable;

        Fault(String id, boolean retryable) {
            this.id = id;
            this.retryable = retryable;
        }

        /** Kebab-case, for an outcome's details ({@code connection-reset}). */
        public String id() {
            return id;
        }

        /** Whether another attempt may get an answer. */
        public boolean retryable() {
            return retryable;
        }
    }

    private static final Pattern URL = Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9+.-]*://\\S*");
    private static final int REASON_LIMIT = 160;

    private final Fault fault;

    TransportFailure(Fault fault, String message) {
        super(message, null, false, false);
        this.fault = fault;
    }

    public Fault fault() {
        return fault;
    }

    /** {@code {transport_error: connection-reset}}, for an action outcome's details. */
    public Map<String, Object> details() {
        return Map.of("transport_error", fault.id());
    }

    /** The fault an {@link IOException} of {@link java.net.http.HttpClient#send} stands for. */
    static Fault classify(IOException e) {
        if (any(e, t -> t instanceof SSLException)) {
            return Fault.TLS;
        }
        if (any(e, t -> t instanceof HttpConnectTimeoutException)) {
            return Fault.CONNECT_TIMEOUT;
        }
        if (any(e, t -> t instanceof HttpTimeoutException)) {
            return Fault.TIMEOUT;
        }
        if (any(e, t -> t instanceof UnknownHostException || t instanceof UnresolvedAddressException)) {
            return Fault.UNKNOWN_HOST;
        }
        if (any(e, t -> t instanceof SocketException && mentions(t, "reset"))) {
            return Fault.CONNECTION_RESET;
        }
        if (any(e, t -> t instanceof ConnectException)) {
            return Fault.CONNECTION_REFUSED;
        }
        if (any(e, t -> t instanceof ProtocolException || mentions(t, "chunk") || mentions(t, "parsing HTTP"))) {
            return Fault.MALFORMED_ANSWER;
        }
        // a ClosedChannelException without a ConnectException: the connection closed under the client (after an
        // answer it could not read, as in a failed h2c upgrade)
        if (any(e, t -> t instanceof EOFException || t instanceof ClosedChannelException
                || mentions(t, "received no bytes"))) {
            return Fault.CONNECTION_CLOSED;
        }
        return Fault.OTHER;
    }

    /**
     * What happened, in words: {@code connection reset by the server}, {@code no answer within 2000 ms},
     * {@code TLS handshake failed: certificate not trusted (…)}.
     */
    static String reason(Fault fault, IOException e, long timeoutMillis) {
        return switch (fault) {
            case CONNECTION_REFUSED -> "connection refused";
            case UNKNOWN_HOST -> "unknown host";
            case CONNECT_TIMEOUT -> "no connection within " + timeoutMillis + " ms";
            case TIMEOUT -> "no answer within " + timeoutMillis + " ms";
            case CONNECTION_RESET -> "connection reset by the server";
            case CONNECTION_CLOSED -> "the server closed the connection without a complete answer";
            case MALFORMED_ANSWER -> "malformed HTTP answer";
            case TLS -> "TLS handshake failed: " + tlsReason(e);
            case INTERRUPTED -> "interrupted";
            case OTHER -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + scrub(e.getMessage()));
        };
    }

    private static String tlsReason(IOException e) {
        if (any(e, t -> t instanceof CertificateExpiredException)) {
            return "certificate expired";
        }
        if (any(e, t -> mentions(t, "subject alternative name") || mentions(t, "no name matching"))) {
            return "the certificate does not name the host";
        }
        if (any(e, t -> t instanceof CertificateException)) {
            return "certificate not trusted (add the CA that issued it to the JVM's trust store; the connector never "
                    + "turns certificate checks off)";
        }
        if (any(e, t -> mentions(t, "plaintext connection") || mentions(t, "unrecognized SSL message"))) {
            return "the server does not speak TLS (is the URL's scheme meant to be http?)";
        }
        return "the server refused the handshake (protocol versions or cipher suites in common?)";
    }

    private static boolean any(Throwable e, Predicate<Throwable> test) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentions(Throwable t, String words) {
        String message = t.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains(words.toLowerCase(Locale.ROOT));
    }

    /** An exception's text without URLs (a path may be a credential), on one line, shortened. */
    private static String scrub(String text) {
        String oneLine = URL.matcher(text).replaceAll("<url>").replaceAll("\\s+", " ").strip();
        return oneLine.length() <= REASON_LIMIT ? oneLine : oneLine.substring(0, REASON_LIMIT) + "...";
    }
}
