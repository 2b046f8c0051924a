package io.irhub.connector.testkit;

import io.irhub.connector.api.Connector;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every source connector module passes: extend it in the module's tests, give it a valid
 * configuration and deliveries made from the vendor's documented payloads, and add the vendor's own cases.
 */
public abstract class SourceConnectorContract extends ConfigContract {
    protected static final String INSTANCE = "test-instance";

    protected abstract SourceConnector connector();

    /** A delivery in the vendor's documented format, carrying the right credentials for {@link #validConfig()}. */
    protected abstract InboundRequest validDelivery();

    /** The same delivery with wrong credentials. */
    protected abstract InboundRequest wronglyAuthenticatedDelivery();

    /** Bodies that are not the vendor's format (malformed JSON, missing fields). */
    protected abstract List<String> malformedBodies();

    @Override
    protected final Connector subject() {
        return connector();
    }

    protected Source openSource() {
        return connector().open(INSTANCE, parsedConfig());
    }

    protected static InboundRequest withBody(InboundRequest request, String body) {
        return new InboundRequest(request.pathToken(), request.headers(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void isDiscoveredByServiceLoader() {
        assertThat(Connectors.discover().source(connector().id())).isInstanceOf(connector().getClass());
    }

    @Test
    void acceptsTheDocumentedPayload() throws Exception {
        Source source = openSource();
        assertThat(source.instance()).isEqualTo(INSTANCE);
        assertThat(source.maxBodyBytes()).isPositive();
        InboundRequest delivery = validDelivery();
        assertThat(source.authenticate(delivery)).isTrue();
        List<Signal> signals = source.normalize(delivery);
        assertThat(signals).isNotEmpty().allSatisfy(s -> {
            assertThat(s.sourceInstance()).isEqualTo(INSTANCE);
            assertThat(s.sourceType()).isEqualTo(connector().id());
            assertThat(s.dedupeKey()).isNotBlank();
            assertThat(s.identities()).isNotEmpty();
            assertThat(s.rawPayload()).isEqualTo(delivery.bodyAsString());
        });
    }

    @Test
    void theSameDeliveryTwiceHasTheSameDedupeKey() throws Exception {
        Source source = openSource();
        assertThat(source.normalize(validDelivery())).extracting(Signal::dedupeKey)
                .isEqualTo(source.normalize(validDelivery()).stream().map(Signal::dedupeKey).toList());
    }

    @Test
    void refusesWrongCredentials() {
        assertThat(openSource().authenticate(wronglyAuthenticatedDelivery())).isFalse();
    }

    @Test
    void refusesMalformedBodiesWithAClearMessage() {
        Source source = openSource();
        assertThat(malformedBodies()).isNotEmpty();
        for (String body : malformedBodies()) {
            assertThatThrownBy(() -> source.normalize(withBody(validDelivery(), body)))
                    .as("body %s", body)
                    .isInstanceOf(InvalidPayloadException.class)
                    .hasMessageMatching("(?s).*\\w.*")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(environment().values()));
        }
    }

    @Test
    void noSecretReachesTheLogs() throws Exception {
        try (OutputCapture capture = OutputCapture.start()) {
            Source source = openSource();
            source.authenticate(validDelivery());
            source.authenticate(wronglyAuthenticatedDelivery());
            source.normalize(validDelivery());
            for (String body : malformedBodies()) {
                try {
                    source.normalize(withBody(validDelivery(), body));
                } catch (InvalidPayloadException expected) {
                    // the message is checked in refusesMalformedBodiesWithAClearMessage
                }
            }
            capture.assertContainsNone(environment().values());
        }
    }
}
