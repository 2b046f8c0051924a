package io.irhub.connector.sentinel;

import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One Sentinel instance: checks the credentials a Logic App's HTTP action sends in headers, turns each incident
 * delivery into one signal, and, when configured to poll, offers a {@link GraphPoller}.
 */
final class SentinelSource implements Source {
    static final String SIGNATURE_HEADER = "X-Irhub-Signature";
    private static final Logger LOG = LoggerFactory.getLogger(SentinelSource.class);
    private static final String HMAC = "HmacSHA256";
    private static final String BEARER = "bearer ";

    private final String instance;
    private final SentinelConfig config;
    private final SentinelPayloads payloads;
    private final Clock clock;
    private final byte[] bearerDigest;
    private final Poller poller;

    SentinelSource(String instance, SentinelConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.payloads = new SentinelPayloads(instance, config.actOnSeverityIncrease());
        this.clock = context.clock();
        this.bearerDigest = config.bearerToken().map(t -> sha256(t.reveal())).orElse(null);
        this.poller = config.graph().map(graph -> new GraphPoller(instance, graph, payloads,
                new GraphClient(instance, graph, context), context.clock())).orElse(null);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public int maxBodyBytes() {
        return config.maxBodyBytes();
    }

    @Override
    public boolean authenticate(InboundRequest request) {
        boolean accepted = switch (config.auth()) {
            case BEARER -> bearerMatches(request);
            case HMAC -> signatureMatches(request);
            case OFF -> false;
        };
        if (!accepted) {
            LOG.debug("{}: refused a delivery with a missing or wrong {}", instance, switch (config.auth()) {
                case BEARER -> "bearer token";
                case HMAC -> SIGNATURE_HEADER + " signature";
                case OFF -> "credential (auth is off: this instance only polls)";
            });
        }
        return accepted;
    }

    @Override
    public List<Signal> normalize(InboundRequest request) throws InvalidPayloadException {
        return List.of(payloads.incident(request.body(), clock.instant()));
    }

    @Override
    public Optional<Poller> poller() {
        return Optional.ofNullable(poller);
    }

    private boolean bearerMatches(InboundRequest request) {
        Optional<String> header = request.header("Authorization").map(String::strip);
        // the scheme is case-insensitive (RFC 7235); the token is compared as sent
        if (bearerDigest == null || header.isEmpty() || header.get().length() <= BEARER.length()
                || !header.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        String presented = header.get().substring(BEARER.length()).strip();
        // digests have one length whatever was presented, so isEqual's time says nothing about the token's length
        return MessageDigest.isEqual(sha256(presented), bearerDigest);
    }

    private boolean signatureMatches(InboundRequest request) {
        Optional<String> header = request.header(SIGNATURE_HEADER).map(String::strip);
        if (config.hmacSecret().isEmpty() || header.isEmpty()) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(header.get());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(presented, hmac(config.hmacSecret().get().reveal(), request.body()));
    }

    /** The HMAC-SHA256 of {@code body} keyed with the UTF-8 bytes of {@code key}. */
    static byte[] hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), HMAC));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides " + HMAC, e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
