package io.irhub.connector.api;

import java.time.Duration;
import java.util.Optional;

/** A poll that failed: the vendor refused, rate-limited or could not be reached. Never carries a credential. */
public class PollException extends Exception {
    private final Duration retryAfter;

    public PollException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public PollException(String message) {
        this(message, null);
    }

    /** How long the vendor asked the hub to wait, if it did (CrowdStrike's X-RateLimit-RetryAfter, Retry-After). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
