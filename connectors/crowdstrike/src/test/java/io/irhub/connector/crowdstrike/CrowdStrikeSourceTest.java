package io.irhub.connector.crowdstrike;

import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Signal;
import io.irhub.connector.crowdstrike.CrowdStrikeFixtures.TestClock;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.WEBHOOK_SECRET;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.bearer;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.hmacHex;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.read;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.signed;
import static org.assertj.core.api.Assertions.assertThat;

class CrowdStrikeSourceTest {
    private static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");

    private final TestClock clock = new TestClock(NOW);
    private final CrowdStrikeSource bearerSource = source("bearer");
    private final CrowdStrikeSource hmacSource = source("hmac");

    private CrowdStrikeSource source(String auth) {
        return new CrowdStrikeSource("falcon-prod", CrowdStrikeFixtures.config(Map.of("auth", auth)), clock,
                Optional.empty());
    }

    // --- bearer -----------------------------------------------------------------------------------------------

    @Test
    void theConfiguredBearerTokenAuthenticates() {
        assertThat(bearerSource.authenticate(bearer(WEBHOOK_SECRET, read(ALERT)))).isTrue();
    }

    @Test
    void theSchemeIsReadIgnoringCase() {
        InboundRequest request = new InboundRequest(null, Map.of("authorization", "BEARER " + WEBHOOK_SECRET),
                read(ALERT).getBytes(StandardCharsets.UTF_8));
        assertThat(bearerSource.authenticate(request)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "fusion-webhook-0000-not-the-configured-one",
            WEBHOOK_SECRET + "0",
            "fusion-webhook-9c2e41f7b3a85d06e1c",
            "FUSION-WEBHOOK-9C2E41F7B3A85D06E1C7"})
    void anyOtherBearerTokenIsRefused(String presented) {
        Map<String, String> headers = new HashMap<>();
        if (presented != null) {
            headers.put("Authorization", "Bearer " + presented);
        }
        assertThat(bearerSource.authenticate(new InboundRequest(null, headers, new byte[0]))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic ", "Token ", "", "Bearer"})
    void otherSchemesAreRefused(String scheme) {
        InboundRequest request = new InboundRequest(null, Map.of("Authorization", scheme + WEBHOOK_SECRET), new byte[0]);
        assertThat(bearerSource.authenticate(request)).isFalse();
    }

    @Test
    void theTokenInThePathDoesNotAuthenticate() {
        InboundRequest request = new InboundRequest(WEBHOOK_SECRET, Map.of(), read(ALERT).getBytes(StandardCharsets.UTF_8));
        assertThat(bearerSource.authenticate(request)).isFalse();
    }

    @Test
    void aBearerInstanceRefusesSignedDeliveries() {
        assertThat(bearerSource.authenticate(signed(WEBHOOK_SECRET, NOW.getEpochSecond(), read(ALERT)))).isFalse();
    }

    // --- hmac -------------------------------------------------------------------------------------------------

    @Test
    void aFreshSignatureAuthenticates() {
        assertThat(hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.getEpochSecond(), read(ALERT)))).isTrue();
    }

    @Test
    void theSignatureIsReadIgnoringHexCase() {
        byte[] body = read(ALERT).getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(NOW.getEpochSecond());
        InboundRequest request = new InboundRequest(null, Map.of("X-Irhub-Timestamp", timestamp,
                "X-Irhub-Signature", hmacHex(WEBHOOK_SECRET, timestamp, body).toUpperCase()), body);
        assertThat(hmacSource.authenticate(request)).isTrue();
    }

    @Test
    void aTimestampWithinFiveMinutesEitherWayIsAccepted() {
        assertThat(hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.minusSeconds(300).getEpochSecond(), read(ALERT))))
                .isTrue();
        assertThat(hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.plusSeconds(300).getEpochSecond(), read(ALERT))))
                .isTrue();
    }

    @Test
    void aStaleOrFutureTimestampIsRefusedThoughCorrectlySigned() {
        assertThat(hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.minusSeconds(301).getEpochSecond(), read(ALERT))))
                .isFalse();
        assertThat(hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.plusSeconds(301).getEpochSecond(), read(ALERT))))
                .isFalse();
    }

    @Test
    void aDeliveryReplayedLaterIsRefused() {
        InboundRequest delivery = signed(WEBHOOK_SECRET, NOW.getEpochSecond(), read(ALERT));
        assertThat(hmacSource.authenticate(delivery)).isTrue();
        clock.advance(Duration.ofMinutes(6));
        assertThat(hmacSource.authenticate(delivery)).isFalse();
    }

    @Test
    void aSignatureWithAnotherKeyOrOverAnotherBodyIsRefused() {
        assertThat(hmacSource.authenticate(signed("another-key", NOW.getEpochSecond(), read(ALERT)))).isFalse();
        InboundRequest signedAlert = signed(WEBHOOK_SECRET, NOW.getEpochSecond(), read(ALERT));
        InboundRequest tampered = new InboundRequest(null, signedAlert.headers(),
                read(ALERT).replace("\"High\"", "\"Low\"").getBytes(StandardCharsets.UTF_8));
        assertThat(hmacSource.authenticate(tampered)).isFalse();
    }

    @Test
    void theTimestampIsPartOfWhatIsSigned() {
        byte[] body = read(ALERT).getBytes(StandardCharsets.UTF_8);
        String signedAt = Long.toString(NOW.getEpochSecond());
        InboundRequest moved = new InboundRequest(null, Map.of("X-Irhub-Timestamp", Long.toString(NOW.getEpochSecond() + 1),
                "X-Irhub-Signature", hmacHex(WEBHOOK_SECRET, signedAt, body)), body);
        assertThat(hmacSource.authenticate(moved)).isFalse();
    }

    @Test
    void missingOrMalformedSignatureHeadersAreRefused() {
        byte[] body = read(ALERT).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(NOW.getEpochSecond());
        String sig = hmacHex(WEBHOOK_SECRET, ts, body);
        assertThat(hmacSource.authenticate(new InboundRequest(null, Map.of("X-Irhub-Signature", sig), body))).isFalse();
        assertThat(hmacSource.authenticate(new InboundRequest(null, Map.of("X-Irhub-Timestamp", ts), body))).isFalse();
        assertThat(hmacSource.authenticate(new InboundRequest(null, Map.of("X-Irhub-Timestamp", "2026-11-02T09:00:00Z",
                "X-Irhub-Signature", sig), body))).isFalse();
        assertThat(hmacSource.authenticate(new InboundRequest(null, Map.of("X-Irhub-Timestamp", ts,
                "X-Irhub-Signature", "sha256=" + sig), body))).isFalse();
        assertThat(hmacSource.authenticate(new InboundRequest(null, Map.of("X-Irhub-Timestamp", ts,
                "X-Irhub-Signature", sig.substring(2)), body))).isFalse();
        assertThat(hmacSource.authenticate(bearer(WEBHOOK_SECRET, read(ALERT)))).isFalse();
    }

    @Test
    void refusalsNeverLogThePresentedCredentials() {
        String presented = "presented-token-3e9d1c7a5b";
        try (OutputCapture capture = OutputCapture.start()) {
            bearerSource.authenticate(bearer(presented, read(ALERT)));
            hmacSource.authenticate(signed(presented, NOW.getEpochSecond(), read(ALERT)));
            hmacSource.authenticate(signed(WEBHOOK_SECRET, NOW.minusSeconds(3600).getEpochSecond(), read(ALERT)));
            capture.assertContainsNone(List.of(presented, WEBHOOK_SECRET,
                    hmacHex(presented, Long.toString(NOW.getEpochSecond()), read(ALERT).getBytes(StandardCharsets.UTF_8))));
        }
    }

    // --- deliveries -------------------------------------------------------------------------------------------

    @Test
    void eachDeliveryIsNormalizedAsThisInstancesSignals() throws Exception {
        List<Signal> signals = hmacSource.normalize(signed(WEBHOOK_SECRET, NOW.getEpochSecond(), read(ALERT)));
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.sourceInstance()).isEqualTo("falcon-prod");
            assertThat(s.dedupeKey()).isEqualTo(ALERT_ID);
        });
    }

    @Test
    void anAlertWithoutTimesIsDatedByTheHubsClock() throws Exception {
        String body = CrowdStrikeFixtures.edited(ALERT, a -> {
            a.remove("created_timestamp");
            a.remove("timestamp");
        });
        assertThat(bearerSource.normalize(bearer(WEBHOOK_SECRET, body))).singleElement()
                .satisfies(s -> assertThat(s.detectedAt()).isEqualTo(NOW));
    }
}
