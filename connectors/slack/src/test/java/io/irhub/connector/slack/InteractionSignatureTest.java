package io.irhub.connector.slack;

import com.slack.api.app_backend.SlackSignature;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Secret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Request signing, checked against Slack's published test vector (slackapi/java-slack-sdk,
 * slack-app-backend/src/test/java/test_locally/app_backend/SlackSignatureTest.java, from Slack's "Verifying requests
 * from Slack").
 */
class InteractionSignatureTest {
    private static final String VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final long VECTOR_TIMESTAMP = 1531420618L;
    private static final String VECTOR_SIGNATURE =
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static final String VECTOR_BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
            + "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static SlackInteractions at(long epochSecond) {
        return new SlackInteractions(Secret.of(VECTOR_SECRET, "test"), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC), SlackStubs.CHANNEL);
    }

    private static InboundRequest request(String timestamp, String signature, String body) {
        Map<String, String> headers = new HashMap<>();
        if (timestamp != null) {
            headers.put("x-slack-request-timestamp", timestamp);
        }
        if (signature != null) {
            headers.put("x-slack-signature", signature);
        }
        return new InboundRequest(null, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static InboundRequest vector() {
        return request(String.valueOf(VECTOR_TIMESTAMP), VECTOR_SIGNATURE, VECTOR_BODY);
    }

    @Test
    void theGeneratorReproducesThePublishedSignature() {
        assertThat(new SlackSignature.Generator(VECTOR_SECRET).generate(String.valueOf(VECTOR_TIMESTAMP), VECTOR_BODY))
                .isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void thePublishedVectorVerifies() {
        assertThatCode(() -> at(VECTOR_TIMESTAMP).verify(vector())).doesNotThrowAnyException();
    }

    @Test
    void thePublishedVectorPassesTheSignatureButIsNoInteraction() {
        // a slash command: authentic, but not a button click
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).read(vector()))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("no payload field")
                .hasMessageNotContaining("X-Slack-Signature");
    }

    @Test
    void aChangedBodyIsRejected() {
        String changed = VECTOR_BODY.replace("user_name=roadrunner", "user_name=coyote");

        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(String.valueOf(VECTOR_TIMESTAMP),
                VECTOR_SIGNATURE, changed)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("X-Slack-Signature does not match");
    }

    @Test
    void aChangedTimestampIsRejected() {
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(String.valueOf(VECTOR_TIMESTAMP + 1),
                VECTOR_SIGNATURE, VECTOR_BODY)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("X-Slack-Signature does not match");
    }

    @Test
    void anotherSigningSecretIsRejected() {
        String forged = new SlackSignature.Generator("another-apps-signing-secret")
                .generate(String.valueOf(VECTOR_TIMESTAMP), VECTOR_BODY);

        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(String.valueOf(VECTOR_TIMESTAMP), forged,
                VECTOR_BODY)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("does not match")
                .hasMessageNotContaining(VECTOR_SECRET)
                .hasMessageNotContaining(forged);
    }

    @Test
    void aTimestampMoreThanFiveMinutesOldOrAheadIsRejectedEvenWithAGoodSignature() {
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP + 301).verify(vector()))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("301 s away")
                .hasMessageContaining("max-clock-skew (300 s)");
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP - 301).verify(vector()))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("max-clock-skew");
    }

    @Test
    void aTimestampWithinFiveMinutesIsAccepted() {
        assertThatCode(() -> at(VECTOR_TIMESTAMP + 300).verify(vector())).doesNotThrowAnyException();
        assertThatCode(() -> at(VECTOR_TIMESTAMP - 299).verify(vector())).doesNotThrowAnyException();
    }

    @Test
    void missingHeadersAreRejected() {
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(null, VECTOR_SIGNATURE, VECTOR_BODY)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("missing X-Slack-Request-Timestamp");
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(String.valueOf(VECTOR_TIMESTAMP), null,
                VECTOR_BODY)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("missing X-Slack-Signature");
    }

    @Test
    void aTimestampThatIsNoNumberIsRejected() {
        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request("1531420618.5", VECTOR_SIGNATURE, VECTOR_BODY)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("not a Unix time");
    }

    @Test
    void aBodyWithRawNonAsciiBytesIsRejected() {
        String body = "payload=" + "{\"type\":\"block_actions\",\"user\":{\"name\":\"zoë\"}}";
        String signature = new SlackSignature.Generator(VECTOR_SECRET).generate(String.valueOf(VECTOR_TIMESTAMP), body);

        assertThatThrownBy(() -> at(VECTOR_TIMESTAMP).verify(request(String.valueOf(VECTOR_TIMESTAMP), signature, body)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("non-ASCII");
    }
}
