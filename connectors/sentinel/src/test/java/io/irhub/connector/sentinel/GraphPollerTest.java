package io.irhub.connector.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.PollResult;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.sentinel.SentinelFixtures.TestClock;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.irhub.connector.sentinel.SentinelFixtures.CLIENT_ID;
import static io.irhub.connector.sentinel.SentinelFixtures.CLIENT_SECRET;
import static io.irhub.connector.sentinel.SentinelFixtures.TENANT_ID;
import static io.irhub.connector.sentinel.SentinelFixtures.read;
import static io.irhub.connector.sentinel.SentinelFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GraphPollerTest {

    @RegisterExtension
    static final WireMockExtension graph = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String TOKEN_PATH = "/" + TENANT_ID + "/oauth2/v2.0/token";
    private static final String INCIDENTS = "/v1.0/security/incidents";
    private static final String USER_AGENT = "irhub/test";
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
    private static final String ACCESS_TOKEN = tree(read("graph-token.json")).get("access_token").asText();

    private final TestClock clock = new TestClock(NOW);

    private Poller poller(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(SentinelFixtures.pollConfig(graph.baseUrl()));
        raw.putAll(changes);
        return new SentinelConnector().open("sentinel-prod", SentinelFixtures.parse(raw),
                new ConnectorContext(clock, USER_AGENT)).poller().orElseThrow();
    }

    private Poller poller() {
        return poller(Map.of());
    }

    private static void stubToken() {
        graph.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(okJson(read("graph-token.json"))));
    }

    /** A Graph page whose @odata.nextLink, if any, points at the stub server instead of graph.microsoft.com. */
    private static String page(String fixture) {
        return read(fixture).replace("https://graph.microsoft.com/v1.0", graph.baseUrl() + "/v1.0");
    }

    private static void stubTwoPages() {
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).withQueryParam("$skiptoken", absent())
                .willReturn(okJson(page("graph-incidents-page1.json"))));
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).withQueryParam("$skiptoken", equalTo("eyJTa2lwIjoyfQ"))
                .willReturn(okJson(page("graph-incidents-page2.json"))));
    }

    private static void stubIncidents(String body) {
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(okJson(body)));
    }

    private static String emptyPage() {
        return "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())\", "
                + "\"value\": []}";
    }

    private static Map<String, String> form(String body) {
        return Arrays.stream(body.split("&")).map(p -> p.split("=", 2)).collect(Collectors.toMap(
                p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }

    private static List<LoggedRequest> incidentRequests() {
        return graph.findAll(getRequestedFor(urlPathEqualTo(INCIDENTS)));
    }

    // --- token -----------------------------------------------------------------------------------------------------

    @Test
    void theTokenComesFromTheTenantsEndpointThroughTheClientCredentialsGrant() throws Exception {
        stubToken();
        stubIncidents(emptyPage());

        poller().poll(null);

        List<LoggedRequest> tokenRequests = graph.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
        assertThat(tokenRequests).singleElement().satisfies(r -> {
            assertThat(r.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
            assertThat(form(r.getBodyAsString())).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "grant_type", "client_credentials",
                    "client_id", CLIENT_ID,
                    "client_secret", CLIENT_SECRET,
                    "scope", "https://graph.microsoft.com/.default"));
            assertThat(r.getHeader("User-Agent")).isEqualTo(USER_AGENT);
        });
        graph.verify(getRequestedFor(urlPathEqualTo(INCIDENTS))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("User-Agent", equalTo(USER_AGENT)));
    }

    @Test
    void theTokenIsCachedUntilShortlyBeforeItExpires() throws Exception {
        stubToken();
        stubIncidents(emptyPage());
        Poller poller = poller();

        poller.poll(null);
        clock.advance(Duration.ofSeconds(3599 - 61));
        poller.poll(null);
        assertThat(graph.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(1);

        // the token lives 3599 s; it is replaced 60 s early
        clock.advance(Duration.ofSeconds(2));
        poller.poll(null);
        assertThat(graph.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(2);
    }

    @Test
    void aRefusedTokenNamesClientTenantAndTheEntraErrorButNotTheSecret() {
        graph.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody(read("graph-token-error-invalid-client.json"))));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.getMessage()).contains("Microsoft Entra ID refused a token to client " + CLIENT_ID,
                            "in tenant " + TENANT_ID, "HTTP 401 invalid_client", "AADSTS7000215",
                            "check tenant-id, client-id and client-secret");
                    assertThat(e.getMessage()).doesNotContain(CLIENT_SECRET, "Trace ID", "Correlation ID");
                    assertThat(e.retryAfter()).isEmpty();
                });
        assertThat(incidentRequests()).isEmpty();
    }

    // --- the query ---------------------------------------------------------------------------------------------

    @Test
    void theFirstPollLooksBackAndAsksForIncidentsUpdatedSinceThenOldestFirst() throws Exception {
        stubToken();
        stubIncidents(emptyPage());

        PollResult result = poller().poll(null);

        assertThat(incidentRequests()).singleElement().satisfies(r -> {
            assertThat(r.queryParameter("$expand").firstValue()).isEqualTo("alerts");
            assertThat(r.queryParameter("$filter").firstValue()).isEqualTo("lastUpdateDateTime gt 2024-06-01T11:00:00Z");
            assertThat(r.queryParameter("$orderby").firstValue()).isEqualTo("lastUpdateDateTime asc");
            assertThat(r.queryParameter("$top").firstValue()).isEqualTo("50");
        });
        assertThat(result.signals()).isEmpty();
        assertThat(result.more()).isFalse();
        // nothing seen yet: the next poll asks from the same point
        assertThat(result.nextCheckpoint()).isEqualTo("2024-06-01T11:00:00Z");
    }

    @Test
    void theLookbackIsConfigurable() throws Exception {
        stubToken();
        stubIncidents(emptyPage());

        poller(Map.of("poll-lookback", "24h")).poll(null);

        assertThat(incidentRequests().get(0).queryParameter("$filter").firstValue())
                .isEqualTo("lastUpdateDateTime gt 2024-05-31T12:00:00Z");
    }

    @Test
    void pagesAreFollowedThroughNextLinkAndTheCheckpointAdvancesToTheLastUpdateSeen() throws Exception {
        stubToken();
        stubTwoPages();
        Poller poller = poller();

        PollResult first = poller.poll(null);
        assertThat(first.more()).isTrue();
        // 2972401 has device evidence only: nobody to act on
        assertThat(first.signals()).extracting(Signal::dedupeKey).containsExactly("2972395");
        JsonNode paging = tree(first.nextCheckpoint());
        assertThat(paging.get("from").asText()).isEqualTo("2024-06-01T11:00:00Z");
        assertThat(paging.get("seen").asText()).isEqualTo("2024-06-01T11:31:02.5000000Z");
        assertThat(paging.get("next").asText()).startsWith(graph.baseUrl() + INCIDENTS).endsWith("$skiptoken=eyJTa2lwIjoyfQ");

        PollResult second = poller.poll(first.nextCheckpoint());
        assertThat(second.more()).isFalse();
        assertThat(second.signals()).singleElement().satisfies(s -> {
            assertThat(s.dedupeKey()).isEqualTo("2972410");
            assertThat(s.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(s.identities()).containsExactly(new Identity(IdentityKind.USER, "carol@contoso.com", null,
                    "4a7b9c1d-3e5f-4a6b-8c7d-9e0f1a2b3c4d"));
        });
        assertThat(second.nextCheckpoint()).isEqualTo("2024-06-01T11:47:19.8271045Z");
        assertThat(incidentRequests()).hasSize(2);
        assertThat(incidentRequests().get(1).queryParameter("$skiptoken").firstValue()).isEqualTo("eyJTa2lwIjoyfQ");

        // the next poll asks for what changed after the last update seen, as Graph wrote it
        graph.resetRequests();
        poller.poll(second.nextCheckpoint());
        assertThat(incidentRequests().get(0).queryParameter("$filter").firstValue())
                .isEqualTo("lastUpdateDateTime gt 2024-06-01T11:47:19.8271045Z");
    }

    @Test
    void aPolledSignalCarriesItsIncidentAsEvidence() throws Exception {
        stubToken();
        stubTwoPages();

        Signal signal = poller().poll(null).signals().get(0);

        JsonNode incident = tree(read("graph-incidents-page1.json")).get("value").get(0);
        assertThat(tree(signal.rawPayload())).isEqualTo(incident);
        assertThat(signal.sourceInstance()).isEqualTo("sentinel-prod");
        assertThat(signal.sourceType()).isEqualTo("sentinel");
        assertThat(signal.detection()).isEqualTo("Password spray and suspicious inbox rule involving one user");
        assertThat(signal.link()).isEqualTo(incident.get("incidentWebUrl").asText());
    }

    @Test
    void theCheckpointNeverMovesBack() throws Exception {
        stubToken();
        ObjectNode page = (ObjectNode) tree(read("graph-incidents-page2.json"));
        ((ObjectNode) page.get("value").get(0)).put("lastUpdateDateTime", "2024-06-01T11:40:00Z");
        stubIncidents(page.toString());

        assertThat(poller().poll("2024-06-01T11:45:00.1234567Z").nextCheckpoint())
                .isEqualTo("2024-06-01T11:45:00.1234567Z");
    }

    @Test
    void anIncidentThatCannotBeReadIsSkippedAndThePollGoesOn() throws Exception {
        stubToken();
        ObjectNode page = (ObjectNode) tree(read("graph-incidents-page2.json"));
        ObjectNode broken = ((ArrayNode) page.get("value")).addObject();
        broken.setAll((ObjectNode) page.get("value").get(0).deepCopy());
        broken.put("id", "2972411").put("severity", "catastrophic").put("lastUpdateDateTime", "2024-06-01T11:50:00Z");
        stubIncidents(page.toString());

        PollResult result = poller().poll(null);

        assertThat(result.signals()).extracting(Signal::dedupeKey).containsExactly("2972410");
        assertThat(result.nextCheckpoint()).isEqualTo("2024-06-01T11:50:00Z");
    }

    @Test
    void aPageLinkToAnotherHostIsNotFollowed() {
        stubToken();
        stubIncidents(read("graph-incidents-page1.json").replace("https://graph.microsoft.com/v1.0",
                "https://graph.example.net/v1.0"));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("points at https://graph.example.net, not at graph-base-url");
        Map<String, Object> stored = Map.of("from", "2024-06-01T11:00:00Z", "seen", "2024-06-01T11:00:00Z",
                "next", "https://graph.example.net/v1.0/security/incidents?$skiptoken=x");
        assertThatThrownBy(() -> poller().poll(SentinelPayloads.JSON.valueToTree(stored).toString()))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("not following it");
        assertThat(incidentRequests()).hasSize(1);
    }

    @Test
    void aStoredPageLinkGraphNoLongerTakesStartsTheQueryAgain() throws Exception {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).withQueryParam("$skiptoken", equalTo("expired"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\": {\"code\": \"BadRequest\", \"message\": \"Invalid skip token.\"}}")));
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).withQueryParam("$skiptoken", absent())
                .willReturn(okJson(read("graph-incidents-page2.json"))));
        String stored = SentinelPayloads.JSON.valueToTree(Map.of("from", "2024-06-01T10:00:00Z",
                "seen", "2024-06-01T11:31:02.5000000Z",
                "next", graph.baseUrl() + INCIDENTS + "?$skiptoken=expired")).toString();

        PollResult result = poller().poll(stored);

        assertThat(result.signals()).extracting(Signal::dedupeKey).containsExactly("2972410");
        assertThat(incidentRequests()).hasSize(2);
        assertThat(incidentRequests().get(1).queryParameter("$filter").firstValue())
                .isEqualTo("lastUpdateDateTime gt 2024-06-01T10:00:00Z");
    }

    @Test
    void aCheckpointThisPollerDidNotWriteFailsThePollClearly() {
        stubToken();
        for (String checkpoint : List.of("yesterday", "2024-06-01T11:00:00Z or 1 eq 1", "{\"from\": \"x\"}", "{")) {
            assertThatThrownBy(() -> poller().poll(checkpoint))
                    .as(checkpoint)
                    .isInstanceOf(PollException.class)
                    .hasMessageContaining("clear it to start again from poll-lookback");
        }
        assertThat(incidentRequests()).isEmpty();
    }

    // --- Graph's refusals ------------------------------------------------------------------------------------------

    @Test
    void aRateLimitEndsThePollWithTheVendorsRetryAfter() {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "30").withHeader("Content-Type", "application/json")
                .withBody(read("graph-error-throttled.json"))));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                    assertThat(e.getMessage()).contains("throttled GET " + INCIDENTS, "HTTP 429", "30 s");
                });
        // the hub waits, not the poller: one attempt only
        assertThat(incidentRequests()).hasSize(1);
    }

    @Test
    void anUnavailableGraphAsksForAWaitAsAnHttpDate() {
        stubToken();
        ZonedDateTime date = NOW.atZone(ZoneOffset.UTC);
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(503)
                .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(date))
                .withHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(date.plusMinutes(2)))));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofMinutes(2));
                    assertThat(e.getMessage()).contains("HTTP 503");
                });
    }

    @Test
    void aRateLimitedTokenRequestAlsoCarriesRetryAfter() {
        graph.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7")));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                    assertThat(e.getMessage()).contains("Microsoft Entra ID throttled the token request");
                });
    }

    @Test
    void aRejectedTokenIsExplainedAndFetchedAgainForTheNextPoll() throws Exception {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"code\": \"InvalidAuthenticationToken\", "
                        + "\"message\": \"Access token validation failure. Invalid audience.\"}}")));
        Poller poller = poller();

        assertThatThrownBy(() -> poller.poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.getMessage()).contains("Microsoft Graph refused the access token of client " + CLIENT_ID,
                            "HTTP 401 InvalidAuthenticationToken", "Invalid audience", "check that tenant-id and client-id");
                    assertThat(e.getMessage()).doesNotContain(ACCESS_TOKEN, CLIENT_SECRET);
                    assertThat(e.retryAfter()).isEmpty();
                });
        stubIncidents(emptyPage());
        poller.poll(null);
        assertThat(graph.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(2);
    }

    @Test
    void aMissingPermissionIsNamed() {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody(read("graph-error-forbidden.json"))));

        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("HTTP 403 Forbidden: Missing application roles")
                .hasMessageContaining("SecurityIncident.Read.All application permission, with admin consent");
    }

    @Test
    void serverErrorsAndNetworkFaultsAreRetriedThenReported() throws Exception {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("reset"));
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).inScenario("flaky").whenScenarioStateIs("reset")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("up"));
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson(read("graph-incidents-page2.json"))));

        assertThat(poller(Map.of("max-retries", "2")).poll(null).signals()).hasSize(1);
        assertThat(incidentRequests()).hasSize(3);

        graph.resetAll();
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(500)));
        assertThatThrownBy(() -> poller(Map.of("max-retries", "1")).poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.getMessage()).contains("Microsoft Graph answered HTTP 500 to GET " + INCIDENTS,
                            "after 2 attempts");
                    assertThat(e.retryAfter()).isEmpty();
                });
        assertThat(incidentRequests()).hasSize(2);
    }

    @Test
    void anAnswerThatIsNotTheDocumentedJsonFailsThePoll() {
        stubToken();
        graph.stubFor(get(urlPathEqualTo(INCIDENTS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>proxy login</html>")));
        assertThatThrownBy(() -> poller().poll(null)).isInstanceOf(PollException.class).hasMessageContaining("is not JSON");

        stubIncidents("{\"error\": null}");
        assertThatThrownBy(() -> poller().poll(null)).isInstanceOf(PollException.class)
                .hasMessageContaining("has no value array");
    }

    @Test
    void noSecretReachesTheLogs() {
        try (OutputCapture capture = OutputCapture.start()) {
            stubToken();
            stubTwoPages();
            Poller poller = poller();
            PollResult first = poller.poll(null);
            poller.poll(first.nextCheckpoint());

            graph.resetAll();
            graph.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(read("graph-token-error-invalid-client.json"))));
            try {
                poller().poll(null);
            } catch (PollException expected) {
                assertThat(expected.getMessage()).doesNotContain(CLIENT_SECRET);
            }
            graph.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
            try {
                poller(Map.of("max-retries", "0")).poll(null);
            } catch (PollException expected) {
                assertThat(expected.getMessage()).contains("cannot reach Microsoft Entra ID");
            }
            assertThat(capture.text()).contains("new Graph token for client " + CLIENT_ID);
            capture.assertContainsNone(List.of(CLIENT_SECRET, ACCESS_TOKEN, SentinelFixtures.BEARER_TOKEN));
        } catch (PollException e) {
            throw new AssertionError(e);
        }
    }
}
