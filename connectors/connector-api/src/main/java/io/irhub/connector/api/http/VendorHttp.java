package io.irhub.connector.api.http;

import io.irhub.connector.api.http.TransportFailure.Fault;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * One vendor's HTTP API as a connector calls it, on the JDK's {@link HttpClient}: bounded retries with exponential
 * backoff (200 ms, 400 ms, 800 ms, … by default), the vendor's own rate-limit wait honoured up to a cap, and every
 * transport fault turned into a {@link TransportFailure} that reads the same for every connector.
 *
 * <p>A call is retried when the answer's status is one the connector retries (429 and 5xx by default) and the wait the
 * vendor asks for, if any, is within the cap; and on a transport fault other than a failed TLS handshake. What ends
 * the retries is answered as it came (a 429 or 5xx included): its wording is the connector's, as is what counts as
 * a refusal. The caller builds a new request per attempt, so a single-use proof or assertion can be fresh each time.
 *
 * <p>TLS is the JDK's, with the JVM's trust store: there is no way to turn certificate or host name checks off.
 */
public final class VendorHttp {

    /** A retry about to happen, for a connector that logs them; {@code reason} is {@code HTTP 503} or a fault. */
    public record Retrying(String what, int retry, int maxRetries, String reason, Duration delay) {
    }

    private record Policy(Duration timeout, String userAgent, int maxRetries, Duration backoff,
                          IntPredicate retryStatus, Function<HttpResponse<?>, Optional<Duration>> rateLimitWait,
                          Duration maxRateLimitWait, Consumer<Retrying> onRetry) {
    }

    private final String service;
    private final Policy policy;
    private final HttpClient http;

    private VendorHttp(String service, Policy policy, HttpClient http) {
        this.service = service;
        this.policy = policy;
        this.http = http;
    }

    /** @param service the vendor as messages name it: {@code Okta}, {@code the SCIM server} */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /**
     * The same client and policy for another service of the same vendor, named so in messages (Microsoft Entra ID
     * beside Microsoft Graph).
     */
    public VendorHttp named(String service) {
        return new VendorHttp(Objects.requireNonNull(service), policy, http);
    }

    /** The vendor as messages name it. */
    public String service() {
        return service;
    }

    /** A request to {@code uri} with the call timeout and the User-Agent set. */
    public HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(policy.timeout());
        return policy.userAgent() == null ? request : request.header("User-Agent", policy.userAgent());
    }

    /**
     * Sends, retrying as described above.
     *
     * @param what    the call in messages, without secrets or personal data ({@code GET /api/v1/users/{id}})
     * @param request builds the request afresh for each attempt
     * @return the first answer not worth retrying, or the last one once the retries are used up
     * @throws TransportFailure when no answer came (after the retries, or at once for TLS and interruptions)
     */
    public HttpResponse<String> send(String what, Supplier<HttpRequest> request) throws TransportFailure {
        int attempts = policy.maxRetries() + 1;
        // what each failed attempt met, in order and once each: a second attempt may fail differently
        Set<String> met = new LinkedHashSet<>();
        for (int attempt = 1; ; attempt++) {
            HttpRequest sent = request.get();
            String reason;
            Duration wait;
            try {
                HttpResponse<String> response = http.send(sent, HttpResponse.BodyHandlers.ofString());
                if (attempt == attempts || !worthRetrying(response)) {
                    return response;
                }
                reason = "HTTP " + response.statusCode();
                met.add(reason);
                wait = policy.rateLimitWait().apply(response).orElse(backoff(attempt));
            } catch (IOException e) {
                Fault fault = TransportFailure.classify(e);
                reason = TransportFailure.reason(fault, e, sent.timeout().orElse(policy.timeout()).toMillis());
                met.add(reason);
                if (attempt == attempts || !fault.retryable()) {
                    throw new TransportFailure(fault, "cannot reach " + service + " at " + sent.uri().getHost()
                            + " for " + what + " " + attempts(attempt) + ": " + String.join(", then ", met));
                }
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                throw interrupted(what);
            }
            policy.onRetry().accept(new Retrying(what, attempt, policy.maxRetries(), reason, wait));
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                throw interrupted(what);
            }
        }
    }

    /**
     * The wait the vendor asked for with this answer when it is longer than the cap: the answer was not retried, and
     * the connector says so rather than that its retries ran out.
     */
    public Optional<Duration> waitBeyondCap(HttpResponse<?> response) {
        return policy.rateLimitWait().apply(response).filter(wait -> wait.compareTo(policy.maxRateLimitWait()) > 0);
    }

    /** {@code after 3 attempts}: how many calls a retried answer got, for the connector's messages. */
    public String attempts() {
        return attempts(policy.maxRetries() + 1);
    }

    private static String attempts(int n) {
        return n == 1 ? "after 1 attempt" : "after " + n + " attempts";
    }

    private boolean worthRetrying(HttpResponse<String> response) {
        return policy.retryStatus().test(response.statusCode()) && waitBeyondCap(response).isEmpty();
    }

    private Duration backoff(int attempt) {
        return policy.backoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    }

    private TransportFailure interrupted(String what) {
        Thread.currentThread().interrupt();
        return new TransportFailure(Fault.INTERRUPTED, "interrupted while calling " + service + " for " + what);
    }

    /** The retry policy; by default 2 retries on 429 and 5xx, 200 ms backoff, no rate-limit header read. */
    public static final class Builder {
        private final String service;
        private Duration timeout = Duration.ofSeconds(10);
        private String userAgent;
        private int maxRetries = 2;
        private Duration backoff = Duration.ofMillis(200);
        private IntPredicate retryStatus = status -> status == 429 || status >= 500;
        private Function<HttpResponse<?>, Optional<Duration>> rateLimitWait = response -> Optional.empty();
        private Duration maxRateLimitWait = Duration.ofSeconds(Long.MAX_VALUE);
        private Consumer<Retrying> onRetry = retrying -> { };

        private Builder(String service) {
            this.service = Objects.requireNonNull(service);
        }

        /** The connect timeout, and the call timeout of {@link #request}. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        /** Calls after the first attempt. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries < 0");
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** The wait before the first retry; it doubles with each further one. */
        public Builder backoff(Duration backoff) {
            this.backoff = Objects.requireNonNull(backoff);
            return this;
        }

        /** Which statuses are retried (default 429 and 5xx). */
        public Builder retryStatus(IntPredicate retryStatus) {
            this.retryStatus = Objects.requireNonNull(retryStatus);
            return this;
        }

        /**
         * The wait the vendor asks for with an answer (use {@link RateLimitHeaders}), which replaces the backoff; an
         * answer asking for longer than {@code max} is not retried.
         */
        public Builder rateLimitWait(Function<HttpResponse<?>, Optional<Duration>> wait, Duration max) {
            this.rateLimitWait = Objects.requireNonNull(wait);
            this.maxRateLimitWait = Objects.requireNonNull(max);
            return this;
        }

        /** Told before each retry, from the calling thread. */
        public Builder onRetry(Consumer<Retrying> onRetry) {
            this.onRetry = Objects.requireNonNull(onRetry);
            return this;
        }

        public VendorHttp build() {
            // never follows a redirect: it would take a credential's request somewhere the configuration did not name
            return new VendorHttp(service, new Policy(timeout, userAgent, maxRetries, backoff, retryStatus,
                    rateLimitWait, maxRateLimitWait, onRetry),
                    HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build());
        }
    }
}
