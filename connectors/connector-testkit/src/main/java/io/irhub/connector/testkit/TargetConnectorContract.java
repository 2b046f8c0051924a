package io.irhub.connector.testkit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.CheckResult;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.requestMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every target connector module passes. The vendor is a WireMock server on 127.0.0.1 fed with the
 * vendor's documented payloads; the connector is configured with a different credential for each capability.
 *
 * <p>Every target declares the fields {@code timeout} (per HTTP call) and {@code max-retries} (after the first
 * attempt); the contract sets them to bound its failure tests.
 *
 * <p>Transport faults (a reset or closed connection, a garbled answer, a failed TLS handshake) end an action as
 * {@code FAILED} after a bounded number of attempts, with a message naming the fault and no secret anywhere: the
 * hub shows the failure and keeps the action, nothing is lost. A second stand-in listens on HTTPS with WireMock's own
 * self-signed certificate, which the JVM does not trust and the connector must not either.
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

    /**
     * The vendor's requests that obtain a token (an OAuth token request, a login): a self-check may send them though
     * they are not reads, as they change nothing the connector acts on. None by default.
     */
    protected List<RequestPatternBuilder> tokenRequests() {
        return List.of();
    }

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
        return openTarget(vendor.baseUrl(), overrides);
    }

    /** A target opened on {@link #config} for {@code baseUrl} with some fields replaced. */
    protected Target openTarget(String baseUrl, Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>(config(baseUrl));
        config.putAll(overrides);
        return connector().open(INSTANCE, connector().configDef().parse("test-instance", config, secretResolver()),
                ConnectorContext.defaults());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK"})
    void aBrokenConnectionFailsTheActionAfterBoundedAttemptsNamingTheFault(Fault fault) {
        Verb verb = changingVerb();
        stubSuccess(verb);
        vendor.stubFor(requestMatching(changeRequest(verb).build()).atPriority(1)
                .willReturn(aResponse().withFault(fault)));
        ActionOutcome outcome;
        try (OutputCapture capture = OutputCapture.start()) {
            try (Target target = openTarget(Map.of("max-retries", "1", "timeout", "2s"))) {
                outcome = target.execute(request(verb));
            }
            capture.assertContainsNone(environment().values());
        }
        assertThat(outcome.status()).as("%s", outcome).isEqualTo(ActionOutcome.Status.FAILED);
        assertThat(outcome.message()).as("the message for %s", fault).containsAnyOf(faultWords(fault));
        assertNoSecretIn(outcome);
        assertThat(vendor.findAll(changeRequest(verb))).as("%s calls answered with %s", verb, fault)
                .hasSizeBetween(1, 2);
    }

    /** What a message says of a fault; a reset may reach the client as the connection closing, depending on timing. */
    private static String[] faultWords(Fault fault) {
        return switch (fault) {
            case CONNECTION_RESET_BY_PEER -> new String[] {"connection reset", "closed the connection"};
            case EMPTY_RESPONSE -> new String[] {"closed the connection", "connection reset"};
            default -> new String[] {"malformed"};
        };
    }

    @Test
    void anUntrustedCertificateFailsTheActionAndIsNeverAccepted() throws IOException {
        // WireMock's HTTPS port presents its own self-signed certificate, which no JVM trust store holds
        WireMockServer https = new WireMockServer(wireMockConfig().httpDisabled(true).dynamicHttpsPort()
                .bindAddress("127.0.0.1"));
        https.start();
        try {
            https.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(anyUrl())
                    .willReturn(aResponse().withStatus(200).withBody("{}")));
            assertRefusedHandshake(https.httpsPort(), "certificate not trusted");
            assertThat(https.findAll(anyRequestedFor(anyUrl()))).as("requests past the handshake").isEmpty();
        } finally {
            https.stop();
        }
    }

    @Test
    void anHttpsUrlOnAPlainHttpServerFailsTheHandshake() throws IOException {
        assertRefusedHandshake(vendor.getPort(), "does not speak TLS");
        assertThat(vendor.findAll(anyRequestedFor(anyUrl()))).as("requests past the handshake").isEmpty();
    }

    private void assertRefusedHandshake(int port, String says) throws IOException {
        Verb verb = changingVerb();
        stubSuccess(verb);
        ActionOutcome outcome;
        int connections;
        try (CountingPort counted = new CountingPort(port); OutputCapture capture = OutputCapture.start()) {
            try (Target target = openTarget("https://127.0.0.1:" + counted.port(), Map.of("max-retries", "2"))) {
                outcome = target.execute(request(verb));
            }
            connections = counted.connections();
            capture.assertContainsNone(environment().values());
        }
        assertThat(outcome.status()).as("%s", outcome).isEqualTo(ActionOutcome.Status.FAILED);
        assertThat(outcome.message()).as("%s", outcome).contains("TLS handshake", says);
        assertNoSecretIn(outcome);
        // a failed handshake fails the same way every time: one attempt, which the JDK's client may itself repeat
        // once for an idempotent request
        assertThat(connections).as("connections to the stand-in").isBetween(1, 2);
    }

    private void assertNoSecretIn(ActionOutcome outcome) {
        int i = 0;
        for (String secret : environment().values()) {
            i++;
            assertThat(String.valueOf(outcome).contains(secret)).as("secret #%d in %s", i, outcome.message()).isFalse();
        }
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

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /**
     * {@link Target#check()} against the stand-in with every capability's success stubbed. The stubs are the
     * actions' ({@link #stubSuccess}), which do not answer every read a self-check makes (a listing of users, a token
     * lookup, a health endpoint), so this does not require every result to be ok (each module's own check tests do,
     * with the vendor's answers to those reads). It requires what holds whatever the vendor answers: at least one
     * result, each with a subject and a message; no secret in any result or log line; and nothing changed: every call
     * is a read or one of the {@link #tokenRequests()}, and no capability's change call is made.
     */
    @Test
    void selfCheckPassesAgainstTheStandIn() {
        for (Capability cap : connector().capabilities()) {
            stubSuccess(cap.verb());
        }
        // what no stub answers is answered 404, as a vendor would, and not reported by WireMock, whose report of an
        // unmatched request prints the closest stub, secrets it matches on included
        vendor.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(anyUrl()).atPriority(100)
                .willReturn(aResponse().withStatus(404)));
        List<CheckResult> results;
        try (OutputCapture capture = OutputCapture.start()) {
            try (Target target = openTarget()) {
                results = target.check();
            }
            capture.assertContainsNone(environment().values());
        }
        assertThat(results).as("check() results").isNotEmpty();
        for (CheckResult result : results) {
            assertThat(result.subject()).as("a result's subject").isNotBlank();
            assertThat(result.message()).as("the message for %s", result.subject()).isNotBlank();
            int i = 0;
            for (String secret : environment().values()) {
                i++;
                assertThat(result.subject().contains(secret) || result.message().contains(secret))
                        .as("secret #%d (of %d) in the result for %s", i, environment().size(), result.subject())
                        .isFalse();
            }
        }
        List<String> changes = vendor.findAll(anyRequestedFor(anyUrl())).stream()
                .filter(call -> !READ_METHODS.contains(call.getMethod().getName()))
                .filter(call -> tokenRequests().stream().noneMatch(p -> p.build().match(call).isExactMatch()))
                .map(call -> call.getMethod().getName() + " " + call.getUrl())
                .toList();
        assertThat(changes).as("calls of the self-check that are neither reads nor token requests").isEmpty();
        for (Capability cap : connector().capabilities()) {
            if (cap.verb() != Verb.LOOKUP) {
                // counted, not listed: a logged call carries the credential's header
                assertThat(vendor.findAll(changeRequest(cap.verb())).size())
                        .as("%s calls made by check()", cap.verb()).isZero();
            }
        }
    }

    /** For tests that need the resolver the contract uses. */
    protected SecretResolver secretResolver() {
        return SecretResolver.of(environment());
    }
}
