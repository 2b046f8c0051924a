package io.irhub.connector.testkit;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.Connector;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every target connector module passes. The vendor is a WireMock server on 127.0.0.1 fed with the
 * vendor's documented payloads; the connector is configured with a different credential for each capability.
 *
 * <p>Every target declares the fields {@code timeout} (per HTTP call) and {@code max-retries} (after the first
 * attempt); the contract sets them to bound its failure tests.
 */
public abstract class TargetConnectorContract extends ConfigContract {
    protected static final String INSTANCE = "test-instance";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    @RegisterExtension
    protected static final WireMockExtension vendor = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    protected abstract TargetConnector connector();

    /** A valid configuration pointing at {@code baseUrl}, with a distinct credential for each capability. */
    protected abstract Map<String, Object> config(String baseUrl);

    /** The identity the stubs know. */
    protected abstract Identity identity();

    /** Stubs the vendor so that {@code verb} on {@link #identity()} succeeds (state reads included). */
    protected abstract void stubSuccess(Verb verb);

    /** The documented request that performs {@code verb} (for a lookup, the read). */
    protected abstract RequestPatternBuilder changeRequest(Verb verb);

    /**
     * Asserts that the call that performs {@code verb} (the one {@link #changeRequest} matches) carried the named
     * credential and not another capability's. A preceding read may use the lookup credential.
     */
    protected abstract void assertUsedCredential(Verb verb, String credential);

    /** The vendor's own rate-limit answer, asking the client to wait about {@code retryAfter}. */
    protected abstract ResponseDefinitionBuilder rateLimited(Duration retryAfter);

    @Override
    protected final Connector subject() {
        return connector();
    }

    @Override
    protected final Map<String, Object> validConfig() {
        return config(vendor.baseUrl());
    }

    @BeforeEach
    void resetVendor() {
        vendor.resetAll();
    }

    protected Target openTarget() {
        return connector().open(INSTANCE, parsedConfig(), ConnectorContext.defaults());
    }

    protected ActionRequest request(Verb verb) {
        return new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, INSTANCE, identity(),
                "test-" + verb.wireName() + "-" + UUID.randomUUID(), null);
    }

    @Test
    void isDiscoveredByServiceLoader() {
        assertThat(Connectors.discover().target(connector().id())).isInstanceOf(connector().getClass());
    }

    @Test
    void declaresEachVerbOnceWithACredential() {
        List<Capability> caps = connector().capabilities();
        assertThat(caps).isNotEmpty();
        assertThat(caps).extracting(Capability::verb).doesNotHaveDuplicates();
        assertThat(caps).allSatisfy(c -> assertThat(c.credential()).isNotBlank());
    }

    @Test
    void eachCapabilityCallsItsDocumentedEndpointWithItsOwnCredential() {
        for (Capability cap : connector().capabilities()) {
            vendor.resetAll();
            stubSuccess(cap.verb());
            try (Target target = openTarget()) {
                ActionOutcome outcome = target.execute(request(cap.verb()));
                assertThat(outcome.status().effective()).as("%s: %s", cap.verb(), outcome).isTrue();
            }
            vendor.verify(changeRequest(cap.verb()));
            assertUsedCredential(cap.verb(), cap.credential());
        }
    }

    @Test
    void aRateLimitIsWaitedOutAndRetried() {
        assertRetriedAfter(rateLimited(RETRY_AFTER), RETRY_AFTER.minusMillis(100));
    }

    @Test
    void aServerErrorIsRetried() {
        assertRetriedAfter(aResponse().withStatus(503).withBody("{}"), Duration.ZERO);
    }

    private void assertRetriedAfter(ResponseDefinitionBuilder firstAnswer, Duration minimumGap) {
        Verb verb = changingVerb();
        stubSuccess(verb);
        RequestPatternBuilder change = changeRequest(verb);
        vendor.stubFor(com.github.tomakehurst.wiremock.client.WireMock.requestMatching(change.build())
                .atPriority(1)
                .inScenario("retry").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("answered")
                .willReturn(firstAnswer));
        try (Target target = openTarget()) {
            ActionOutcome outcome = target.execute(request(verb));
            assertThat(outcome.status().effective()).as("%s after one refusal: %s", verb, outcome).isTrue();
        }
        List<LoggedRequest> calls = vendor.findAll(change);
        assertThat(calls).hasSize(2);
        long gap = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertThat(gap).as("ms between the refused call and its retry").isGreaterThanOrEqualTo(minimumGap.toMillis());
    }

    /** The first capability that changes something, else the first one. */
    private Verb changingVerb() {
        return connector().capabilities().stream().map(Capability::verb).filter(v -> v != Verb.LOOKUP)
                .findFirst().orElse(connector().capabilities().get(0).verb());
    }

    @Test
    void aPersistentServerErrorGivesUpAfterTheRetryBoundAsAFailure() {
        Verb verb = changingVerb();
        stubSuccess(verb);
        vendor.stubFor(com.github.tomakehurst.wiremock.client.WireMock.requestMatching(changeRequest(verb).build())
                .atPriority(1).willReturn(aResponse().withStatus(500).withBody("{}")));
        try (Target target = openTarget(Map.of("max-retries", "2"))) {
            ActionOutcome outcome = target.execute(request(verb));
            assertThat(outcome.status()).as("%s", outcome).isEqualTo(ActionOutcome.Status.FAILED);
        }
        assertThat(vendor.findAll(changeRequest(verb))).hasSize(3);
    }

    @Test
    void aTimeoutIsRetriedThenGivesUpAsAFailure() {
        Verb verb = changingVerb();
        stubSuccess(verb);
        vendor.stubFor(com.github.tomakehurst.wiremock.client.WireMock.requestMatching(changeRequest(verb).build())
                .atPriority(1).willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(1500)));
        long start = System.nanoTime();
        try (Target target = openTarget(Map.of("max-retries", "1", "timeout", "200ms"))) {
            ActionOutcome outcome = target.execute(request(verb));
            assertThat(outcome.status()).as("%s", outcome).isEqualTo(ActionOutcome.Status.FAILED);
        }
        assertThat(vendor.findAll(changeRequest(verb))).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    /** A target opened on {@link #validConfig()} with some fields replaced. */
    protected Target openTarget(Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>(validConfig());
        config.putAll(overrides);
        return connector().open(INSTANCE, connector().configDef().parse("test-instance", config, secretResolver()),
                ConnectorContext.defaults());
    }

    @Test
    void noSecretReachesTheLogsOrTheOutcome() {
        try (OutputCapture capture = OutputCapture.start()) {
            for (Capability cap : connector().capabilities()) {
                vendor.resetAll();
                stubSuccess(cap.verb());
                try (Target target = openTarget()) {
                    ActionOutcome outcome = target.execute(request(cap.verb()));
                    assertThat(String.valueOf(outcome)).doesNotContain(environment().values());
                }
            }
            vendor.resetAll();
            vendor.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(
                    com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).willReturn(aResponse().withStatus(401)));
            try (Target target = openTarget()) {
                ActionOutcome refused = target.execute(request(changingVerb()));
                assertThat(refused.status().effective()).isFalse();
                assertThat(String.valueOf(refused)).doesNotContain(environment().values());
            }
            capture.assertContainsNone(environment().values());
        }
    }

    /** For tests that need the resolver the contract uses. */
    protected SecretResolver secretResolver() {
        return SecretResolver.of(environment());
    }
}
