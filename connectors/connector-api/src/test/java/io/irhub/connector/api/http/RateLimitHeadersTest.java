package io.irhub.connector.api.http;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTest {
    private static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void retryAfterIsDelaySecondsOrAnHttpDateMeasuredFromTheAnswersDate() {
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", " 17 ")), CLOCK))
                .contains(Duration.ofSeconds(17));
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", date(NOW.plusSeconds(90)))), CLOCK))
                .contains(Duration.ofSeconds(90));
        // the vendor's clock is 40 s ahead of ours: the wait is 20 s, not 60 s
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", date(NOW.plusSeconds(60)),
                "Date", date(NOW.plusSeconds(40)))), CLOCK)).contains(Duration.ofSeconds(20));
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", date(NOW.minusSeconds(5)))), CLOCK))
                .contains(Duration.ZERO);
    }

    @Test
    void whatDoesNotParseIsNoWait() {
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of()), CLOCK)).isEmpty();
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "-5")), CLOCK)).isEmpty();
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "soon")), CLOCK)).isEmpty();
        assertThat(RateLimitHeaders.reset(answer(Map.of("X-Rate-Limit-Reset", "1.5")), "X-Rate-Limit-Reset", CLOCK))
                .isEmpty();
    }

    @Test
    void aResetIsAnEpochSecondOrForSmallValuesSeconds() {
        String epoch = Long.toString(NOW.getEpochSecond() + 42);
        assertThat(RateLimitHeaders.reset(answer(Map.of("X-Rate-Limit-Reset", epoch)), "X-Rate-Limit-Reset", CLOCK))
                .contains(Duration.ofSeconds(42));
        String ahead = date(NOW.plusSeconds(40));
        assertThat(RateLimitHeaders.reset(answer(Map.of("X-Rate-Limit-Reset", epoch, "Date", ahead)),
                "X-Rate-Limit-Reset", CLOCK)).contains(Duration.ofSeconds(2));
        assertThat(RateLimitHeaders.reset(answer(Map.of("X-RateLimit-RetryAfter", "7")), "X-RateLimit-RetryAfter",
                CLOCK)).contains(Duration.ofSeconds(7));
        assertThat(RateLimitHeaders.reset(answer(Map.of("X-Rate-Limit-Reset",
                Long.toString(NOW.getEpochSecond() - 3))), "X-Rate-Limit-Reset", CLOCK)).contains(Duration.ZERO);
    }

    private static String date(Instant at) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC));
    }

    private static HttpResponse<String> answer(Map<String, String> headers) {
        HttpHeaders httpHeaders = HttpHeaders.of(headers.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))), (k, v) -> true);
        return new HttpResponse<>() {
            public int statusCode() {
                return 429;
            }

            public HttpRequest request() {
                return HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).build();
            }

            public Optional<HttpResponse<String>> previousResponse() {
                return Optional.empty();
            }

            public HttpHeaders headers() {
                return httpHeaders;
            }

            public String body() {
                return "";
            }

            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            public URI uri() {
                return request().uri();
            }

            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }
}
