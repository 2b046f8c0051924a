package io.irhub.connector.splunk;

import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.irhub.connector.splunk.SplunkFixtures.COMPROMISED_USER;
import static io.irhub.connector.splunk.SplunkFixtures.TOKEN;
import static io.irhub.connector.splunk.SplunkFixtures.delivery;
import static io.irhub.connector.splunk.SplunkFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;

class SplunkSourceTest {
    private static final Instant RECEIVED = Instant.parse("2024-06-01T12:00:00Z");

    private final SplunkSource source =
            new SplunkSource("splunk-prod", SplunkFixtures.config(Map.of()), Clock.fixed(RECEIVED, ZoneOffset.UTC));

    @Test
    void theConfiguredPathTokenAuthenticates() {
        assertThat(source.authenticate(delivery(TOKEN, read(COMPROMISED_USER)))).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "4b7e2d90-not-the-configured-token-1c3a",
            TOKEN + "0",
            "9f3c1e7a-splunk-path-token-5b2d8c4e0a6",
            "9F3C1E7A-SPLUNK-PATH-TOKEN-5B2D8C4E0A6F",
            " 9f3c1e7a-splunk-path-token-5b2d8c4e0a6f"})
    void anyOtherPathTokenIsRefused(String presented) {
        assertThat(source.authenticate(delivery(presented, read(COMPROMISED_USER)))).isFalse();
    }

    @Test
    void theTokenInAHeaderDoesNotAuthenticate() {
        InboundRequest request = new InboundRequest(null, Map.of("Authorization", "Bearer " + TOKEN),
                read(COMPROMISED_USER).getBytes(StandardCharsets.UTF_8));
        assertThat(source.authenticate(request)).isFalse();
    }

    @Test
    void eachDeliveryIsOneSignalFromThisInstance() throws Exception {
        List<Signal> signals = source.normalize(delivery(TOKEN, read(COMPROMISED_USER)));
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.sourceInstance()).isEqualTo("splunk-prod");
            assertThat(s.sourceType()).isEqualTo("splunk");
        });
    }
}
