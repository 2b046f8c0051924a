package io.irhub.connector.api.http;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCacheTest {
    private static final Instant START = Instant.parse("2026-11-02T10:00:00Z");

    /** A clock the test moves. */
    private static final class Moving extends Clock {
        Instant now = START;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Moving clock = new Moving();
    private final TokenCache<String, String> cache = new TokenCache<>(clock, Duration.ofSeconds(60));
    private final AtomicInteger fetched = new AtomicInteger();

    private TokenCache.Grant<String> fetch(Duration lifetime) {
        return new TokenCache.Grant<>("token-" + fetched.incrementAndGet(), lifetime);
    }

    @Test
    void aTokenIsReusedUntilTheSkewBeforeItExpires() {
        assertThat(cache.get("app", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-1");
        clock.now = START.plus(Duration.ofMinutes(58));
        assertThat(cache.get("app", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-1");
        clock.now = START.plus(Duration.ofMinutes(59));
        assertThat(cache.get("app", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-2");
    }

    @Test
    void aShortLivedTokenIsReplacedATenthOfItsLifeEarly() {
        cache.get("app", () -> fetch(Duration.ofSeconds(100)));
        clock.now = START.plusSeconds(89);
        assertThat(cache.get("app", () -> fetch(Duration.ofSeconds(100)))).isEqualTo("token-1");
        clock.now = START.plusSeconds(90);
        assertThat(cache.get("app", () -> fetch(Duration.ofSeconds(100)))).isEqualTo("token-2");
    }

    @Test
    void keysHaveTokensOfTheirOwnAndAForgottenOneIsFetchedAgain() {
        assertThat(cache.get("lookup", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-1");
        assertThat(cache.get("suspend", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-2");
        cache.forget("lookup");
        assertThat(cache.peek("lookup")).isEmpty();
        assertThat(cache.get("lookup", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-3");
        assertThat(cache.renew("suspend", () -> fetch(Duration.ofHours(1)))).isEqualTo("token-4");
        assertThat(cache.peek("suspend")).contains("token-4");
    }

    @Test
    void aFailedFetchCachesNothing() {
        try {
            cache.get("app", () -> {
                throw new IllegalStateException("refused");
            });
        } catch (IllegalStateException expected) {
            // the vendor refused
        }
        assertThat(cache.peek("app")).isEmpty();
        assertThat(new TokenCache.Grant<>("token-x", Duration.ofSeconds(1)).toString()).doesNotContain("token-x");
    }
}
