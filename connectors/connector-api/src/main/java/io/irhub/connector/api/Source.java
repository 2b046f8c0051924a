package io.irhub.connector.api;

import java.util.List;

/**
 * One configured source instance. It receives webhook deliveries at {@code POST /hooks/{instance}/{token}} (a
 * secret path token) or {@code POST /hooks/{instance}} (credentials in headers), and may also pull ({@link #poller()}).
 */
public interface Source {

    String instance();

    /** The largest body this instance accepts; larger deliveries are refused with 413 before they are read further. */
    int maxBodyBytes();

    /**
     * Checks the delivery's credentials (a path token, a bearer header, an HMAC), in constant time.
     * Must not log or return the presented credential.
     */
    boolean authenticate(InboundRequest request);

    /**
     * Turns an authenticated delivery into signals.
     *
     * @throws InvalidPayloadException naming what is wrong (never echoing secrets) when the body is not the
     *                                 vendor's documented format
     */
    List<Signal> normalize(InboundRequest request) throws InvalidPayloadException;

    /** The pull side, for sources configured to poll their vendor; empty for push-only instances. */
    default java.util.Optional<Poller> poller() {
        return java.util.Optional.empty();
    }
}
