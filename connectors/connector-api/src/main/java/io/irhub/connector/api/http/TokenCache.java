package io.irhub.connector.api.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Access tokens (OAuth client credentials and the like) cached per key, one per credential, and replaced a little
 * before they expire: a tenth of their lifetime early, at most {@code maxSkew}, so none lapses between being read from
 * the cache and reaching the vendor. The lifetime counts from when the token was asked for, not when it arrived.
 *
 * <p>A token is fetched under the cache's lock, so two actions needing the same credential make one token request.
 * Neither the cache nor its entries print a token.
 *
 * @param <K> what a token belongs to (a credential, an application)
 * @param <T> the token, or a record holding it with what came with it (its type, its scopes)
 */
public final class TokenCache<K, T> {

    /** What a token request got: the token and its lifetime ({@code expires_in}). */
    public record Grant<T>(T token, Duration lifetime) {
        @Override
        public String toString() {
            return "Grant[lifetime=" + lifetime + "]";
        }
    }

    /** Asks the vendor for a token. */
    @FunctionalInterface
    public interface Fetcher<T, X extends Exception> {
        Grant<T> fetch() throws X;
    }

    private record Entry<T>(T token, Instant refreshAt) {
        @Override
        public String toString() {
            return "Entry[refreshAt=" + refreshAt + "]";
        }
    }

    private final Clock clock;
    private final Duration maxSkew;
    private final Map<K, Entry<T>> entries = new HashMap<>();

    public TokenCache(Clock clock, Duration maxSkew) {
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    /** The cached token for {@code key} while it is fresh, else the one {@code fetcher} gets, cached. */
    public synchronized <X extends Exception> T get(K key, Fetcher<T, X> fetcher) throws X {
        Instant requestedAt = clock.instant();
        Entry<T> cached = entries.get(key);
        if (cached != null && requestedAt.isBefore(cached.refreshAt())) {
            return cached.token();
        }
        Grant<T> grant = fetcher.fetch();
        Duration lifetime = grant.lifetime().isNegative() ? Duration.ZERO : grant.lifetime();
        Duration tenth = lifetime.dividedBy(10);
        Duration skew = tenth.compareTo(maxSkew) < 0 ? tenth : maxSkew;
        entries.put(key, new Entry<>(grant.token(), requestedAt.plus(lifetime).minus(skew)));
        return grant.token();
    }

    /** Drops the cached token and fetches a new one: the credential as it is configured now. */
    public synchronized <X extends Exception> T renew(K key, Fetcher<T, X> fetcher) throws X {
        entries.remove(key);
        return get(key, fetcher);
    }

    /** Drops the cached token, after the vendor refused it (revoked, rotated): the next use fetches a new one. */
    public synchronized void forget(K key) {
        entries.remove(key);
    }

    /** The cached token, fresh or not, without fetching: to keep it out of a message quoting a vendor's text. */
    public synchronized Optional<T> peek(K key) {
        Entry<T> cached = entries.get(key);
        return cached == null ? Optional.empty() : Optional.of(cached.token());
    }
}
