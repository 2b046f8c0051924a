package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.PollResult;
import io.irhub.connector.api.Signal;
import io.irhub.connector.crowdstrike.CrowdStrikeFixtures.TestClock;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.CLIENT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.CLIENT_SECRET;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ENTITIES;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.IDP_ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.QUERY;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.SCAN_ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.TOKEN;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.WEBHOOK_SECRET;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.edited;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.read;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.tree;
import static io.irhub.connector.crowdstrike.FalconClient.ENTITIES_PATH;
import static io.irhub.connector.crowdstrike.FalconClient.QUERY_PATH;
import static io.irhub.connector.crowdstrike.FalconClient.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FalconPollerTest {

    @RegisterExtension
    static final WireMockExtension falcon = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");
    private static final String ACCESS_TOKEN = tree(read(TOKEN)).get("access_token").textValue();
    private static final String USER_AGENT = "irhub/test";

    private final TestClock clock = new TestClock(NOW);

    private FalconPoller poller(Map<String, Object> overrides) {
        CrowdStrikeConfig.Poll settings = CrowdStrikeFixtures.pollConfig(falcon.baseUrl(), overrides).poll().orElseThrow();
        return new FalconPoller("falcon-prod", settings,
                new FalconClient("falcon-prod", settings, clock, USER_AGENT, Duration.ofMillis(1)), clock);
    }

    private FalconPoller poller() {
        return poller(Map.of());
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** CrowdStrike answers the token request with 201 Created and names the client's cloud. */
    private static void stubToken(String region) {
        falcon.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .willReturn(json(201, read(TOKEN)).withHeader("X-CS-Region", region)));
    }

    private static void stubPage(String query, String entities) {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(okJson(query)));
        falcon.stubFor(post(urlPathEqualTo(ENTITIES_PATH)).willReturn(okJson(entities)));
    }

    private static void stubFixturePage() {
        stubPage(read(QUERY), read(ENTITIES));
    }

    private static String error(int code, String message) {
        return "{\"meta\": {\"query_time\": 0.001, \"trace_id\": \"5e2a\"}, \"errors\": [{\"code\": " + code
                + ", \"message\": \"" + message + "\"}]}";
    }

    private static Map<String, String> form(LoggedRequest request) {
        return Arrays.stream(request.getBodyAsString().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }

    private static LoggedRequest onlyQuery() {
        List<LoggedRequest> queries = falcon.findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)));
        assertThat(queries).hasSize(1);
        return queries.get(0);
    }

    private static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    // --- token --------------------------------------------------------------------------------------------

    @Test
    void theTokenRequestPostsTheClientCredentialsAsAForm() throws Exception {
        stubFixturePage();
        poller().poll(null);

        List<LoggedRequest> tokens = falcon.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
        assertThat(tokens).hasSize(1);
        assertThat(tokens.get(0).getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(form(tokens.get(0))).isEqualTo(Map.of("client_id", CLIENT_ID, "client_secret", CLIENT_SECRET));
        assertThat(tokens.get(0).getHeader("User-Agent")).isEqualTo(USER_AGENT);
    }

    @Test
    void theTokenIsCachedAndRenewedBeforeItExpires() throws Exception {
        stubFixturePage();
        FalconPoller poller = poller();
        poller.poll(null);
        clock.advance(Duration.ofSeconds(1799 - 61));
        poller.poll(null);
        assertThat(falcon.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        poller.poll(null);
        assertThat(falcon.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(2);
    }

    @Test
    void refusedClientCredentialsNameTheClientButNeverTheSecret() {
        falcon.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(json(401, error(401, "access denied, invalid client"))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("API client " + CLIENT_ID)
                .hasMessageContaining("HTTP 401: access denied, invalid client")
                .hasMessageContaining("client-secret")
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain(CLIENT_SECRET);
                    assertThat(((PollException) e).retryAfter()).isEmpty();
                });
        assertThat(falcon.findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)))).isEmpty();
    }

    @Test
    void aVendorMessageEchoingTheSecretIsRedacted() {
        falcon.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .willReturn(json(400, error(400, "invalid client_secret " + CLIENT_SECRET))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("invalid client_secret [secret]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CLIENT_SECRET));
    }

    // --- the two-step poll -------------------------------------------------------------------------------------

    @Test
    void theFirstPollReachesBackThePollLookbackOldestChangeFirst() throws Exception {
        stubFixturePage();
        poller().poll(null);

        LoggedRequest query = onlyQuery();
        assertThat(query.queryParameter("filter").firstValue()).isEqualTo("updated_timestamp:>='2026-11-02T08:00:00.000Z'");
        assertThat(query.queryParameter("sort").firstValue()).isEqualTo("updated_timestamp|asc");
        assertThat(query.queryParameter("limit").firstValue()).isEqualTo("100");
        assertThat(query.queryParameter("offset").firstValue()).isEqualTo("0");
        assertThat(query.getHeader("Authorization")).isEqualTo("Bearer " + ACCESS_TOKEN);
        assertThat(query.getHeader("User-Agent")).isEqualTo(USER_AGENT);
    }

    @Test
    void theConfiguredFilterIsAndedToTheCheckpoint() throws Exception {
        stubFixturePage();
        poller(Map.of("filter", "product:'idp'+severity:>=50", "poll-lookback", "15m", "page-size", "500")).poll(null);

        LoggedRequest query = onlyQuery();
        assertThat(query.queryParameter("filter").firstValue())
                .isEqualTo("updated_timestamp:>='2026-11-02T08:45:00.000Z'+(product:'idp'+severity:>=50)");
        assertThat(query.queryParameter("limit").firstValue()).isEqualTo("500");
        // FQL's '+' is AND: it must reach CrowdStrike encoded, not as a space
        assertThat(query.getUrl()).contains("%2B").doesNotContain("+");
    }

    @Test
    void theQueriedIdsAreFetchedAndBecomeSignalsInQueryOrder() throws Exception {
        stubFixturePage();
        PollResult result = poller().poll(null);

        List<LoggedRequest> fetches = falcon.findAll(postRequestedFor(urlPathEqualTo(ENTITIES_PATH)));
        assertThat(fetches).hasSize(1);
        assertThat(fetches.get(0).getBodyAsString()).isEqualToIgnoringWhitespace(
                "{\"composite_ids\": [\"" + ALERT_ID + "\", \"" + SCAN_ALERT_ID + "\", \"" + IDP_ALERT_ID + "\"]}");
        assertThat(fetches.get(0).getHeader("Authorization")).isEqualTo("Bearer " + ACCESS_TOKEN);
        assertThat(fetches.get(0).getHeader("Content-Type")).startsWith("application/json");

        // the on-demand scan alert names no user: it is no signal, but it still moves the checkpoint
        assertThat(result.signals()).extracting(Signal::dedupeKey).containsExactly(ALERT_ID, IDP_ALERT_ID);
        assertThat(result.signals()).allSatisfy(s -> {
            assertThat(s.sourceInstance()).isEqualTo("falcon-prod");
            assertThat(s.sourceType()).isEqualTo("crowdstrike");
        });
        assertThat(result.signals().get(1).identities()).extracting(i -> i.login()).containsExactly("asmith@example.com");
    }

    @Test
    void eachPolledSignalKeepsItsAlertExactlyAsCrowdStrikeSentIt() throws Exception {
        stubFixturePage();
        PollResult result = poller().poll(null);
        String answer = read(ENTITIES);
        assertThat(result.signals()).allSatisfy(s -> assertThat(answer).contains(s.rawPayload()));
        assertThat(tree(result.signals().get(0).rawPayload())).isEqualTo(tree(answer).get("resources").get(0));
        assertThat(tree(result.signals().get(1).rawPayload())).isEqualTo(tree(answer).get("resources").get(1));
    }

    @Test
    void theCheckpointMovesToTheNewestChangeCountingTheAlertsThatShareItsMillisecond() throws Exception {
        stubFixturePage();
        PollResult result = poller().poll(null);
        // the scan (…05.551409117Z) and the Identity Protection alert (…05.551872310Z) share a millisecond
        assertThat(result.nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#2");
        assertThat(result.more()).isFalse();
    }

    @Test
    void theNextPollResumesAtTheCheckpointSkippingWhatItSaw() throws Exception {
        stubFixturePage();
        poller().poll("2026-11-02T08:42:05.551Z#2");

        LoggedRequest query = onlyQuery();
        assertThat(query.queryParameter("filter").firstValue()).isEqualTo("updated_timestamp:>='2026-11-02T08:42:05.551Z'");
        assertThat(query.queryParameter("offset").firstValue()).isEqualTo("2");
    }

    @Test
    void aFullPageAsksForMore() throws Exception {
        stubFixturePage();
        PollResult result = poller(Map.of("page-size", "3")).poll(null);
        assertThat(result.more()).isTrue();
        assertThat(result.nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#2");
    }

    @Test
    void aFullPageInsideOneMillisecondPagesOnByOffset() throws Exception {
        // two alerts changed in the checkpoint's own millisecond: only the offset can move past them
        String query = edited(QUERY, q -> {
            ArrayNode ids = (ArrayNode) q.get("resources");
            ids.remove(0);
        });
        String entities = edited(ENTITIES, r -> {
            ArrayNode alerts = (ArrayNode) r.get("resources");
            alerts.remove(0);
        });
        stubPage(query, entities);
        PollResult result = poller(Map.of("page-size", "2")).poll("2026-11-02T08:42:05.551Z#2");

        assertThat(onlyQuery().queryParameter("offset").firstValue()).isEqualTo("2");
        assertThat(result.nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#4");
        assertThat(result.more()).isTrue();
        assertThat(result.signals()).extracting(Signal::dedupeKey).containsExactly(IDP_ALERT_ID);
    }

    @Test
    void anEmptyPageKeepsTheCheckpointAndFetchesNothing() throws Exception {
        stubPage("{\"meta\": {\"pagination\": {\"offset\": 0, \"limit\": 100, \"total\": 0}}, \"resources\": [], "
                + "\"errors\": []}", "{}");
        PollResult first = poller().poll(null);
        assertThat(first.signals()).isEmpty();
        assertThat(first.more()).isFalse();
        // the first poll's window start is kept, so nothing updated meanwhile is skipped
        assertThat(first.nextCheckpoint()).isEqualTo("2026-11-02T08:00:00.000Z");
        assertThat(poller().poll("2026-11-02T08:42:05.551Z#2").nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#2");
        assertThat(falcon.findAll(postRequestedFor(urlPathEqualTo(ENTITIES_PATH)))).isEmpty();
    }

    @Test
    void anAlertListedButNoLongerReturnedIsSkipped() throws Exception {
        stubPage(read(QUERY), edited(ENTITIES, r -> ((ArrayNode) r.get("resources")).remove(1)));
        PollResult result = poller().poll(null);
        assertThat(result.signals()).extracting(Signal::dedupeKey).containsExactly(ALERT_ID);
        assertThat(result.nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#1");
    }

    @Test
    void anUnreadableStoredCheckpointFailsThePollSayingHowToRecover() {
        assertThatThrownBy(() -> poller().poll("yesterday#x"))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("clear it to start again from poll-lookback");
    }

    // --- refusals, limits and failures ----------------------------------------------------------------------------

    @Test
    void aRateLimitEndsThePollWithTheWaitFromXRateLimitRetryAfter() {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(429, error(429, "API rate limit exceeded."))
                .withHeader("X-RateLimit-Limit", "6000")
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-RetryAfter", Long.toString(NOW.getEpochSecond() + 42))
                .withHeader("Date", httpDate(NOW))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(42));
                    assertThat(e.getMessage()).contains("rate-limited", "API rate limit exceeded.", "42 s");
                });
        // a 429 is not retried here: the hub waits as asked before the next poll
        assertThat(falcon.findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)))).hasSize(1);
    }

    @Test
    void theRateLimitWaitIsMeasuredFromCrowdStrikesClock() throws Exception {
        FalconClient client = new FalconClient("falcon-prod", CrowdStrikeFixtures.pollConfig(falcon.baseUrl(), Map.of())
                .poll().orElseThrow(), clock, USER_AGENT, Duration.ofMillis(1));
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(429, error(429, "API rate limit exceeded."))
                .withHeader("X-RateLimit-RetryAfter", Long.toString(NOW.getEpochSecond() + 42))
                .withHeader("Date", httpDate(NOW.plusSeconds(40)))));
        assertThatThrownBy(() -> client.alertIds("x", FalconPoller.SORT, 0, 1))
                .isInstanceOfSatisfying(PollException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(2)));
    }

    @Test
    void withoutFalconsHeaderRetryAfterIsHonoured() {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(429, error(429, "slow down"))
                .withHeader("Retry-After", "17")));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(17)));
    }

    @Test
    void aRateLimitedTokenRequestEndsThePollToo() {
        falcon.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(json(429, error(429, "API rate limit exceeded."))
                .withHeader("X-RateLimit-RetryAfter", Long.toString(NOW.getEpochSecond() + 5))
                .withHeader("Date", httpDate(NOW))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOfSatisfying(PollException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(5)));
    }

    @Test
    void aRevokedTokenIsReplacedOnceAndTheCallRepeated() throws Exception {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).inScenario("revoked").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(401, error(401, "access denied, invalid bearer token"))).willSetStateTo("renewed"));
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).inScenario("revoked").whenScenarioStateIs("renewed")
                .willReturn(okJson(read(QUERY))));
        falcon.stubFor(post(urlPathEqualTo(ENTITIES_PATH)).willReturn(okJson(read(ENTITIES))));

        assertThat(poller().poll(null).signals()).hasSize(2);
        assertThat(falcon.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(2);
    }

    @Test
    void aTokenRefusedTwiceFailsThePoll() {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(401, error(401, "access denied, invalid bearer token"))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("HTTP 401: access denied, invalid bearer token")
                .hasMessageContaining(CLIENT_ID);
        assertThat(falcon.findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)))).hasSize(2);
    }

    @Test
    void aMissingScopeIsNamed() {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(403, error(403, "access denied, authorization failed"))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("HTTP 403: access denied, authorization failed")
                .hasMessageContaining("API client " + CLIENT_ID + " needs the Alerts: Read scope");
    }

    @Test
    void aRefusalSuggestsTheCloudTheTokenAnswerNamed() {
        stubToken("eu-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(403, error(403, "access denied, authorization failed"))));
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("cloud eu-1: is base-url https://api.eu-1.crowdstrike.com?");
    }

    @Test
    void aFilterCrowdStrikeCannotReadIsNamed() {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(400, error(400, "Invalid filter"))));
        assertThatThrownBy(() -> poller(Map.of("filter", "product:")).poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("HTTP 400: Invalid filter")
                .hasMessageContaining("check the filter");
    }

    @Test
    void serverErrorsAreRetriedThenReported() throws Exception {
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(503, error(503, "Service Unavailable"))).willSetStateTo("up"));
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson(read(QUERY))));
        falcon.stubFor(post(urlPathEqualTo(ENTITIES_PATH)).willReturn(okJson(read(ENTITIES))));
        assertThat(poller(Map.of("max-retries", "1")).poll(null).signals()).hasSize(2);

        falcon.resetAll();
        stubToken("us-1");
        falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(502, "<html>Bad Gateway</html>")));
        assertThatThrownBy(() -> poller(Map.of("max-retries", "2")).poll(null))
                .isInstanceOf(PollException.class)
                .hasMessage("CrowdStrike answered GET " + QUERY_PATH + " with HTTP 502 after 3 attempts");
        assertThat(falcon.findAll(getRequestedFor(urlPathEqualTo(QUERY_PATH)))).hasSize(3);
    }

    @Test
    void anUnreachableCrowdStrikeIsReported() {
        CrowdStrikeConfig.Poll settings = CrowdStrikeFixtures.pollConfig("http://127.0.0.1:9", Map.of("max-retries", "0",
                "timeout", "2s")).poll().orElseThrow();
        FalconPoller poller = new FalconPoller("falcon-prod", settings,
                new FalconClient("falcon-prod", settings, clock, USER_AGENT, Duration.ofMillis(1)), clock);
        assertThatThrownBy(() -> poller.poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageStartingWith("cannot reach CrowdStrike at 127.0.0.1 for POST " + TOKEN_PATH + " after 1 attempt");
    }

    @Test
    void anAnswerThatIsNotTheDocumentedJsonFailsThePoll() {
        stubPage("{\"resources\": \"none\"}", "{}");
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("has no resources array");
        falcon.resetAll();
        stubPage(read(QUERY), "{\"meta\": {}}");
        assertThatThrownBy(() -> poller().poll(null))
                .isInstanceOf(PollException.class)
                .hasMessageContaining("is not the documented JSON");
    }

    @Test
    void noSecretReachesTheLogs() throws Exception {
        try (OutputCapture capture = OutputCapture.start()) {
            stubFixturePage();
            FalconPoller poller = poller();
            poller.poll(null);
            falcon.stubFor(get(urlPathEqualTo(QUERY_PATH)).willReturn(json(403, error(403, "denied"))));
            try {
                poller.poll(null);
            } catch (PollException expected) {
                // the message is checked in aMissingScopeIsNamed
            }
            falcon.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(json(401, error(401, "denied"))));
            clock.advance(Duration.ofHours(1));
            try {
                poller.poll(null);
            } catch (PollException expected) {
                // as above
            }
            capture.assertContainsNone(List.of(CLIENT_SECRET, ACCESS_TOKEN, WEBHOOK_SECRET));
        }
    }

    @Test
    void largePagesAreFetchedInBatchesOfAThousand() throws Exception {
        ObjectNode query = (ObjectNode) tree(read(QUERY));
        ArrayNode ids = query.putArray("resources");
        for (int i = 0; i < 1001; i++) {
            ids.add("cid:ind:agent:" + i);
        }
        stubPage(query.toString(), "{\"resources\": []}");
        PollResult result = poller(Map.of("page-size", "2000")).poll("2026-11-02T08:42:05.551Z");
        List<LoggedRequest> fetches = falcon.findAll(postRequestedFor(urlPathEqualTo(ENTITIES_PATH)));
        assertThat(fetches).hasSize(2);
        assertThat(tree(fetches.get(0).getBodyAsString()).get("composite_ids")).hasSize(1000);
        assertThat(fetches.get(1).getBodyAsString()).isEqualToIgnoringWhitespace("{\"composite_ids\":[\"cid:ind:agent:1000\"]}");
        assertThat(result.nextCheckpoint()).isEqualTo("2026-11-02T08:42:05.551Z#1001");
        assertThat(result.more()).isFalse();
    }
}
