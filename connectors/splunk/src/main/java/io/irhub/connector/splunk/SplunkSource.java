package io.irhub.connector.splunk;

import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;

/** One Splunk instance: checks the path token and turns each webhook delivery into one signal. */
final class SplunkSource implements Source {
    private static final Logger log = LoggerFactory.getLogger(SplunkSource.class);

    private final String instance;
    private final SplunkConfig config;
    private final SplunkPayloads payloads;
    private final Clock clock;
    private final byte[] tokenDigest;

    SplunkSource(String instance, SplunkConfig config, Clock clock) {
        this.instance = instance;
        this.config = config;
        this.payloads = new SplunkPayloads(config);
        this.clock = clock;
        this.tokenDigest = sha256(config.token().reveal());
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
        String presented = request.pathToken();
        // digests have one length whatever was presented, so isEqual's time says nothing about the token's length
        boolean accepted = presented != null && MessageDigest.isEqual(sha256(presented), tokenDigest);
        if (!accepted) {
            log.debug("{}: refused a delivery with a missing or wrong path token", instance);
        }
        return accepted;
    }

    @Override
    public List<Signal> normalize(InboundRequest request) throws InvalidPayloadException {
        return List.of(payloads.signal(instance, request.body(), clock.instant()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
