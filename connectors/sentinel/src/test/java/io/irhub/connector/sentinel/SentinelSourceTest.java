package io.irhub.connector.sentinel;

import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Signal;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.irhub.connector.sentinel.SentinelFixtures.BEARER_TOKEN;
import static io.irhub.connector.sentinel.SentinelFixtures.HMAC_SECRET;
import static io.irhub.connector.sentinel.SentinelFixtures.INCIDENT_CREATE;
import static io.irhub.connector.sentinel.SentinelFixtures.bearerDelivery;
import static io.irhub.connector.sentinel.SentinelFixtures.read;
import static io.irhub.connector.sentinel.SentinelFixtures.signedDelivery;
import static org.assertj.core.api.Assertions.assertThat;

class SentinelSourceTest {
    private static final ConnectorContext CONTEXT =
            new ConnectorContext(Clock.fixed(Instant.parse("2024-06-01T12:00:30Z"), ZoneOffset.UTC), "irhub/test");

    private static SentinelSource open(Map<String, Object> raw) {
        return new SentinelSource("sentinel-prod", SentinelFixtures.config(raw), CONTEXT);
    }

    private final SentinelSource bearer = open(SentinelFixtures.bearerConfig());
    private final SentinelSource hmac = open(SentinelFixtures.hmacConfig());

    private static InboundRequest withHeaders(String body, Map<String, String> headers) {
        return new InboundRequest(null, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    // --- bearer ---------------------------------------------------------------------------------------------------

    @Test
    void theConfiguredBearerTokenAuthenticates() {
        assertThat(bearer.authenticate(bearerDelivery(BEARER_TOKEN, read(INCIDENT_CREATE)))).isTrue();
    }

    @Test
    void theSchemeIsReadWithoutRegardToCase() {
        assertThat(bearer.authenticate(withHeaders(read(INCIDENT_CREATE),
                Map.of("authorization", "bearer " + BEARER_TOKEN)))).isTrue();
        assertThat(bearer.authenticate(withHeaders(read(INCIDENT_CREATE),
                Map.of("Authorization", "BEARER " + BEARER_TOKEN)))).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "sntl-bearer-not-the-configured-one",
            BEARER_TOKEN + "0",
            "sntl-bearer-7d41c9e2a05b4f6e8c1",
            "SNTL-BEARER-7D41C9E2A05B4F6E8C13"})
    void anyOtherBearerTokenIsRefused(String presented) {
        assertThat(bearer.authenticate(bearerDelivery(presented, read(INCIDENT_CREATE)))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic " + BEARER_TOKEN, BEARER_TOKEN, "Bearer", "Bearer ", "Token " + BEARER_TOKEN})
    void otherAuthorizationHeadersAreRefused(String header) {
        assertThat(bearer.authenticate(withHeaders(read(INCIDENT_CREATE), Map.of("Authorization", header)))).isFalse();
    }

    @Test
    void theTokenInThePathDoesNotAuthenticate() {
        InboundRequest request = new InboundRequest(BEARER_TOKEN, Map.of(),
                read(INCIDENT_CREATE).getBytes(StandardCharsets.UTF_8));
        assertThat(bearer.authenticate(request)).isFalse();
    }

    @Test
    void aBearerInstanceIgnoresSignatures() {
        assertThat(bearer.authenticate(signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE)))).isFalse();
    }

    // --- hmac -----------------------------------------------------------------------------------------------------

    @Test
    void aBodySignedWithTheConfiguredSecretAuthenticates() {
        assertThat(hmac.authenticate(signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE)))).isTrue();
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheRawBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        assertThat(HexFormat.of().formatHex(SentinelSource.hmac("Jefe",
                "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void upperCaseHexAndSurroundingSpaceAreAccepted() {
        InboundRequest signed = signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE));
        String signature = signed.header("X-Irhub-Signature").orElseThrow();
        assertThat(hmac.authenticate(new InboundRequest(null,
                Map.of("x-irhub-signature", " " + signature.toUpperCase() + " "), signed.body()))).isTrue();
    }

    @Test
    void aSignatureWithAnotherKeyOrOverAnotherBodyIsRefused() {
        assertThat(hmac.authenticate(signedDelivery("another-key", read(INCIDENT_CREATE)))).isFalse();
        InboundRequest signed = signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE));
        byte[] tampered = read(INCIDENT_CREATE).replace("\"Medium\"", "\"Low\"").getBytes(StandardCharsets.UTF_8);
        assertThat(hmac.authenticate(new InboundRequest(null, signed.headers(), tampered))).isFalse();
        // the Logic App must sign the bytes it sends: the same JSON re-serialized is another body
        byte[] reserialized = SentinelFixtures.tree(read(INCIDENT_CREATE)).toString().getBytes(StandardCharsets.UTF_8);
        assertThat(hmac.authenticate(new InboundRequest(null, signed.headers(), reserialized))).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not-hex", "sha256=00", "00", "zz5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38"})
    void missingOrMalformedSignaturesAreRefused(String signature) {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Irhub-Signature", signature);
        assertThat(hmac.authenticate(withHeaders(read(INCIDENT_CREATE), headers))).isFalse();
    }

    @Test
    void anHmacInstanceIgnoresBearerTokens() {
        assertThat(open(Map.of("auth", "hmac", "hmac-secret", "${env:SENTINEL_HMAC_SECRET}",
                "bearer-token", "${env:SENTINEL_BEARER_TOKEN}"))
                .authenticate(bearerDelivery(BEARER_TOKEN, read(INCIDENT_CREATE)))).isFalse();
    }

    // --- off, normalize, logs ---------------------------------------------------------------------------------------

    @Test
    void aPollOnlyInstanceRefusesEveryDelivery() {
        Map<String, Object> raw = new HashMap<>(SentinelFixtures.pollConfig("https://graph.example.test"));
        raw.put("auth", "off");
        SentinelSource pollOnly = open(raw);
        assertThat(pollOnly.authenticate(bearerDelivery(BEARER_TOKEN, read(INCIDENT_CREATE)))).isFalse();
        assertThat(pollOnly.authenticate(signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE)))).isFalse();
        assertThat(pollOnly.poller()).isPresent();
    }

    @Test
    void eachDeliveryIsOneSignalFromThisInstance() throws Exception {
        List<Signal> signals = hmac.normalize(signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE)));
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.sourceInstance()).isEqualTo("sentinel-prod");
            assertThat(s.sourceType()).isEqualTo("sentinel");
        });
    }

    @Test
    void noCredentialReachesTheLogs() {
        try (OutputCapture capture = OutputCapture.start()) {
            bearer.authenticate(bearerDelivery(BEARER_TOKEN + "x", read(INCIDENT_CREATE)));
            bearer.authenticate(bearerDelivery(BEARER_TOKEN, read(INCIDENT_CREATE)));
            hmac.authenticate(signedDelivery(HMAC_SECRET + "x", read(INCIDENT_CREATE)));
            hmac.authenticate(signedDelivery(HMAC_SECRET, read(INCIDENT_CREATE)));
            assertThat(capture.text()).contains("refused a delivery");
            capture.assertContainsNone(SentinelFixtures.ENVIRONMENT.values());
        }
    }
}
