package io.irhub.connector.crowdstrike;

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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One CrowdStrike instance. Webhook deliveries reach it at {@code POST /hooks/{instance}} with a bearer token or an
 * HMAC signature in headers (the path carries no token); each alert or detection event in a delivery becomes a
 * signal. When configured to poll, {@link #poller()} pulls alerts from the Alerts API as well.
 */
final class CrowdStrikeSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(CrowdStrikeSource.class);

    static final String SIGNATURE_HEADER = "X-Irhub-Signature";
    static final String TIMESTAMP_HEADER = "X-Irhub-Timestamp";
    /** How far a signed delivery's timestamp may be from the hub's clock, either way. */
    static final Duration SIGNATURE_TOLERANCE = Duration.ofMinutes(5);

    private static final String BEARER = "bearer ";
    private static final int SHA256_HEX_LENGTH = 64;

    private final String instance;
    private final CrowdStrikeConfig config;
    private final Clock clock;
    private final Optional<Poller> poller;
    private final byte[] tokenDigest;

    CrowdStrikeSource(String instance, CrowdStrikeConfig config, Clock clock, Optional<Poller> poller) {
        this.instance = instance;
        this.config = config;
        this.clock = clock;
        this.poller = poller;
        this.tokenDigest = sha256(config.webhookSecret().reveal().getBytes(StandardCharsets.UTF_8));
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
        return switch (config.auth()) {
            case BEARER -> bearer(request);
            case HMAC -> signed(request);
        };
    }

    @Override
    public List<Signal> normalize(InboundRequest request) throws InvalidPayloadException {
        return FalconPayloads.fromDelivery(instance, request.body(), clock.instant());
    }

    @Override
    public Optional<Poller> poller() {
        return poller;
    }

    private boolean bearer(InboundRequest request) {
        String header = request.header("Authorization").orElse("");
        boolean scheme = header.length() > BEARER.length()
                && header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER);
        // digests have one length whatever was presented, so isEqual's time says nothing about the token's length
        boolean accepted = scheme && MessageDigest.isEqual(
                sha256(header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8)), tokenDigest);
        if (!accepted) {
            LOG.debug("{}: refused a delivery with a missing or wrong bearer token", instance);
        }
        return accepted;
    }

    /**
     * {@code X-Irhub-Signature} is the hex HMAC-SHA256, keyed with the webhook-secret, of {@code X-Irhub-Timestamp}
     * (epoch seconds), a full stop and the raw body; the timestamp must be within {@link #SIGNATURE_TOLERANCE} of now,
     * so a captured delivery cannot be replayed later.
     */
    private boolean signed(InboundRequest request) {
        Optional<String> timestamp = request.header(TIMESTAMP_HEADER).map(String::trim);
        Optional<String> signature = request.header(SIGNATURE_HEADER).map(String::trim);
        if (timestamp.isEmpty() || !timestamp.get().matches("\\d{1,12}") || signature.isEmpty()
                || !signature.get().matches("[0-9a-fA-F]{" + SHA256_HEX_LENGTH + "}")) {
            LOG.debug("{}: refused a delivery without a well-formed {} and {}", instance, TIMESTAMP_HEADER,
                    SIGNATURE_HEADER);
            return false;
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - Long.parseLong(timestamp.get()));
        if (skew > SIGNATURE_TOLERANCE.toSeconds()) {
            LOG.debug("{}: refused a delivery signed {} s away from now (more than {} s)", instance, skew,
                    SIGNATURE_TOLERANCE.toSeconds());
            return false;
        }
        boolean accepted = MessageDigest.isEqual(
                hmac(timestamp.get(), request.body()), HexFormat.of().parseHex(signature.get().toLowerCase(Locale.ROOT)));
        if (!accepted) {
            LOG.debug("{}: refused a delivery with a wrong signature", instance);
        }
        return accepted;
    }

    private byte[] hmac(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(config.webhookSecret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides HmacSHA256", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
