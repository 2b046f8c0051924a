package io.irhub.connector.okta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every capability against Okta's own management API spec, served by Prism ({@code prism mock}), which checks each
 * request against the spec (path, method, parameters and their types, security) and answers one it finds invalid
 * with a 4xx (422, or the operation's own 400) instead of the operation's success.
 *
 * <p>The spec has no token endpoint ({@code /oauth2/v1/token} only appears as the OAuth scheme's token URL), so the
 * org URL the connector gets is WireMock's: it answers token requests itself and proxies {@code /api/v1/*} to
 * Prism. Prism answers the user read with the spec's example user (ACTIVE); for the restore, the proxied answer's
 * status is rewritten to SUSPENDED so that the unsuspend is sent too.
 *
 * <p>Prism is installed by the Maven build ({@code npm ci} in {@code src/test/prism}); it starts in about 8 s.
 */
class OktaPrismConformanceTest {
    private static final Path PRISM_HOME = Path.of("src", "test", "prism");
    private static final Path PRISM = PRISM_HOME.resolve(Path.of("node_modules", ".bin", "prism"));
    private static final Path WORK = Path.of("target", "prism");
    private static final Duration PRISM_START = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final WireMockExtension okta = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(new UserStatus()))
            .build();

    private static Process prism;
    private static Path prismLog;
    private static String prismUrl;

    @BeforeAll
    static void startPrism() throws IOException {
        assertThat(PRISM).as("Prism is installed by the Maven build (npm ci in %s, phase generate-test-resources); "
                + "run mvn -pl connectors/okta generate-test-resources", PRISM_HOME).isExecutable();
        Path spec = WORK.resolve("okta-management.json");
        int renamed = OktaOpenApiSpec.writeForPrism(spec);
        assertThat(renamed).as("$ref keys renamed inside example values").isPositive();

        int port = freePort();
        prismUrl = "http://127.0.0.1:" + port;
        prismLog = WORK.resolve("prism.log");
        prism = new ProcessBuilder(PRISM.toString(), "mock", "-h", "127.0.0.1", "-p", Integer.toString(port),
                spec.toString())
                .redirectErrorStream(true)
                .redirectOutput(prismLog.toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(OktaPrismConformanceTest::stopPrism));
        await("Prism listening on " + prismUrl + " (log: " + prismLog + ")")
                .atMost(PRISM_START).pollInterval(Duration.ofMillis(200))
                .until(() -> !prism.isAlive() || log().contains("Prism is listening"));
        assertThat(prism.isAlive()).as("Prism exited: %s", log()).isTrue();
    }

    @AfterAll
    static void stopPrism() {
        if (prism == null) {
            return;
        }
        prism.descendants().forEach(ProcessHandle::destroy);
        prism.destroy();
        try {
            if (!prism.waitFor(10, TimeUnit.SECONDS)) {
                prism.descendants().forEach(ProcessHandle::destroyForcibly);
                prism.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String log() throws IOException {
        return Files.exists(prismLog) ? Files.readString(prismLog, StandardCharsets.UTF_8) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @BeforeEach
    void stubOkta() {
        okta.resetAll();
        okta.stubFor(any(urlPathMatching("/api/v1/.*")).willReturn(aResponse().proxiedFrom(prismUrl)));
    }

    static Stream<Arguments> capabilities() {
        List<Arguments> cases = new ArrayList<>();
        for (String tokenType : List.of("Bearer", "DPoP")) {
            for (Capability capability : new OktaConnector().capabilities()) {
                cases.add(Arguments.of(capability.verb(), tokenType));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with a {1} token")
    @MethodSource("capabilities")
    void everyCapabilitySendsRequestsOktasSpecAccepts(Verb verb, String tokenType) throws IOException {
        stubTokens(tokenType);
        if (verb == Verb.RESTORE) {
            okta.stubFor(get(urlPathMatching("/api/v1/users/[^/]+")).atPriority(1)
                    .willReturn(aResponse().proxiedFrom(prismUrl)
                            .withTransformers(UserStatus.NAME)
                            .withTransformerParameter(UserStatus.NAME, OktaUser.SUSPENDED)));
        }
        Map<String, Object> raw = new HashMap<>(OktaStubs.config(okta.baseUrl()));
        raw.put("dpop", Boolean.toString(tokenType.equals("DPoP")));
        raw.put("max-retries", "0");
        ConnectorConfig config = new OktaConnector().configDef()
                .parse("okta-prism", raw, SecretResolver.of(OktaStubs.environment()));

        ActionOutcome outcome;
        try (Target target = new OktaConnector().open("okta-prism", config,
                new ConnectorContext(Clock.systemUTC(), "irhub/test"))) {
            outcome = target.execute(new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "okta-prism",
                    Identity.user(OktaStubs.LOGIN), "prism-" + UUID.randomUUID(), null));
        }

        List<ServeEvent> apiCalls = okta.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/api/v1/"))
                .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
                .toList();
        assertThat(apiCalls).as("calls that reached Prism").isNotEmpty();
        for (ServeEvent call : apiCalls) {
            String what = call.getRequest().getMethod() + " " + call.getRequest().getUrl();
            int status = call.getResponse().getStatus();
            assertThat(status).as("Prism's answer to %s: %s", what, call.getResponse().getBodyAsString())
                    .isBetween(200, 299);
            assertThat(requestViolations(call)).as("request violations Prism reported for %s", what).isEmpty();
            String authorization = call.getRequest().getHeader("Authorization");
            assertThat(authorization).startsWith(tokenType + " ");
            if (tokenType.equals("DPoP")) {
                assertThat(call.getRequest().getHeader("DPoP")).isNotBlank();
            }
        }
        // Prism's example user is ACTIVE (SUSPENDED for the restore), so every verb has something to do
        assertThat(outcome.status()).as("%s: %s", verb, outcome).isEqualTo(ActionOutcome.Status.SUCCEEDED);
        if (verb != Verb.LOOKUP) {
            assertThat(apiCalls).as("the read, then the change").hasSize(2);
        }
    }

    /** Each app's token of the given type; Prism's spec has no token endpoint. */
    private static void stubTokens(String tokenType) {
        for (OktaStubs.App app : OktaStubs.APPS) {
            for (String scope : List.of("okta.users.read", "okta.users.manage")) {
                okta.stubFor(post(urlPathEqualTo(OktaStubs.TOKEN_PATH))
                        .withRequestBody(containing("scope=" + scope))
                        .andMatching(request -> MatchResult.of(app.clientId().equals(OktaStubs.issuer(request))))
                        .willReturn(okJson(OktaStubs.token(OktaStubs.credentialOf(app), scope, tokenType))));
            }
        }
    }

    /**
     * The request violations in Prism's {@code sl-violations} header ({@code [{location:["request",…],…}]}); its
     * response violations are the spec's own examples not matching its schemas, which is no concern here.
     */
    private static List<String> requestViolations(ServeEvent call) throws IOException {
        HttpHeader header = call.getResponse().getHeaders().getHeader("sl-violations");
        List<String> found = new ArrayList<>();
        if (header.isPresent()) {
            for (JsonNode violation : JSON.readTree(header.firstValue())) {
                if ("request".equals(violation.path("location").path(0).asText())) {
                    found.add(violation.toString());
                }
            }
        }
        return found;
    }

    /** Rewrites the {@code status} of a proxied user (Prism's example) to the stub's parameter. */
    static final class UserStatus implements ResponseTransformerV2 {
        static final String NAME = "okta-user-status";

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            Parameters parameters = serveEvent.getTransformerParameters();
            if (parameters == null || !parameters.containsKey(NAME) || response.getStatus() != 200) {
                return response;
            }
            try {
                ObjectNode user = (ObjectNode) JSON.readTree(response.getBodyAsString());
                user.put("status", parameters.getString(NAME));
                List<HttpHeader> headers = response.getHeaders().all().stream()
                        .filter(h -> !h.keyEquals("Content-Length")).toList();
                return Response.Builder.like(response).but().headers(new HttpHeaders(headers))
                        .body(user.toString()).build();
            } catch (IOException e) {
                throw new IllegalStateException("Prism's user is not JSON", e);
            }
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }
}
