package io.irhub.connector.api.http;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long a vendor asks to wait before the next call. Times are measured from the answer's own {@code Date} header
 * when it has one, else from the connector's clock, as the two clocks differ. A wait in the past is zero; a header
 * that does not parse is no wait at all.
 */
public final class RateLimitHeaders {
    // below this an epoch second would be before 2001: such a value is a number of seconds to wait
    private static final long EPOCH_FLOOR = 1_000_000_000L;

    private RateLimitHeaders() {
    }

    /** {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date. */
    public static Optional<Duration> retryAfter(HttpResponse<?> response, Clock clock) {
        Optional<String> value = response.headers().firstValue("Retry-After").map(String::trim);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.get().matches("\\d{1,18}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.get())));
        }
        return httpDate(value.get()).map(until -> until(response, clock, until));
    }

    /**
     * A vendor's reset header: the epoch second from which calls are accepted again (Okta's
     * {@code X-Rate-Limit-Reset}, CrowdStrike's {@code X-RateLimit-RetryAfter}), or, for a value too small to be one,
     * the seconds to wait.
     */
    public static Optional<Duration> reset(HttpResponse<?> response, String header, Clock clock) {
        Optional<String> value = response.headers().firstValue(header).map(String::trim);
        if (value.isEmpty() || !value.get().matches("\\d{1,18}")) {
            return Optional.empty();
        }
        long number = Long.parseLong(value.get());
        return Optional.of(number < EPOCH_FLOOR ? Duration.ofSeconds(number)
                : until(response, clock, Instant.ofEpochSecond(number)));
    }

    private static Duration until(HttpResponse<?> response, Clock clock, Instant until) {
        Instant now = response.headers().firstValue("Date").flatMap(RateLimitHeaders::httpDate)
                .orElseGet(clock::instant);
        Duration wait = Duration.between(now, until);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
