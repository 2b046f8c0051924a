package io.irhub.connector.splunk;

import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.irhub.connector.splunk.SplunkFixtures.COMPROMISED_USER;
import static io.irhub.connector.splunk.SplunkFixtures.DOCS_EXAMPLE;
import static io.irhub.connector.splunk.SplunkFixtures.SERVICE_ACCOUNT;
import static io.irhub.connector.splunk.SplunkFixtures.TOKEN;
import static io.irhub.connector.splunk.SplunkFixtures.delivery;
import static io.irhub.connector.splunk.SplunkFixtures.edited;
import static io.irhub.connector.splunk.SplunkFixtures.read;
import static io.irhub.connector.splunk.SplunkFixtures.withResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplunkPayloadsTest {
    private static final Instant RECEIVED = Instant.parse("2024-06-01T12:00:00Z");
    private static final String PAYLOAD_SECRET = "hunter2-session-7c1f0e9a44d2";

    private static Signal normalize(Map<String, Object> config, String body) throws InvalidPayloadException {
        return normalize(config, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Signal normalize(Map<String, Object> config, byte[] body) throws InvalidPayloadException {
        SplunkSource source = new SplunkSource("splunk-prod", SplunkFixtures.config(config),
                Clock.fixed(RECEIVED, ZoneOffset.UTC));
        List<Signal> signals = source.normalize(delivery(TOKEN, body));
        assertThat(signals).hasSize(1);
        return signals.get(0);
    }

    private static Signal normalize(String body) throws InvalidPayloadException {
        return normalize(Map.of(), body);
    }

    @Test
    void theDocumentedAlertBecomesOneSignal() throws Exception {
        String body = read(COMPROMISED_USER);
        Signal signal = normalize(body);
        String sid = "scheduler__admin__search__RMD5a3f0c8e2b91d4e57_at_1717243200_4821";
        assertThat(signal.sourceInstance()).isEqualTo("splunk-prod");
        assertThat(signal.sourceType()).isEqualTo("splunk");
        assertThat(signal.dedupeKey()).matches(java.util.regex.Pattern.quote(sid + "\u001fCompromised account - impossible travel\u001f") + "[0-9a-f]{24}");
        assertThat(signal.detection()).isEqualTo("Compromised account - impossible travel");
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.ofEpochSecond(1717243187L, 482_000_000L));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "alice", null, null),
                new Identity(IdentityKind.USER, "alice@example.com", "alice@example.com", null));
        assertThat(signal.link()).isEqualTo("https://splunk.example.com:8000/app/search/@go?sid=" + sid);
        assertThat(signal.rawPayload()).isEqualTo(body);
    }

    @Test
    void eachConfiguredFieldNamesIdentitiesOncePerDistinctValue() throws Exception {
        Signal signal = normalize(withResult(COMPROMISED_USER, r -> {
            r.put("user", "bob");
            r.put("src_user", "dave@example.com");
            r.put("email", "DAVE@example.com");
        }));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "bob", null, null),
                new Identity(IdentityKind.USER, "dave@example.com", "dave@example.com", null));
    }

    @Test
    void blankAndMissingIdentityFieldsAreSkipped() throws Exception {
        Signal signal = normalize(withResult(COMPROMISED_USER, r -> {
            r.put("user", "  ");
            r.remove("src_user");
            r.put("email", "alice@example.com");
        }));
        assertThat(signal.identities()).extracting(Identity::login).containsExactly("alice@example.com");
    }

    @Test
    void aMultivalueFieldNamesEachOfItsValues() throws Exception {
        Signal signal = normalize(withResult(COMPROMISED_USER, r -> {
            r.putArray("user").add("bob").add("carol").add("Alice");
            r.remove("src_user");
            r.remove("email");
        }));
        assertThat(signal.identities()).extracting(Identity::login).containsExactly("bob", "carol", "Alice");
    }

    @Test
    void identityFieldsCanBeConfigured() throws Exception {
        Signal signal = normalize(Map.of("identity-fields", "actor, target_user"),
                withResult(COMPROMISED_USER, r -> {
                    r.put("actor", "eve");
                    r.put("target_user", "frank@example.com");
                }));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "eve", null, null),
                new Identity(IdentityKind.USER, "frank@example.com", "frank@example.com", null));
    }

    @Test
    void identitiesCanBeServiceAccounts() throws Exception {
        Signal signal = normalize(Map.of("identity-fields", "src_user", "identity-kind", "service-account"),
                read(SERVICE_ACCOUNT));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.SERVICE_ACCOUNT, "svc-backup", null, null));
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.parse("2024-06-01T14:39:58.250Z"));
        assertThat(signal.detection()).isEqualTo("Service account used from an unknown network");
    }

    @Test
    void anAlertWithoutIdentitiesIsRefusedNamingTheFields() {
        assertThatThrownBy(() -> normalize(read(DOCS_EXAMPLE)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("no identity in result fields user, src_user, email");
        assertThatThrownBy(() -> normalize(Map.of("identity-fields", "actor"), read(COMPROMISED_USER)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("no identity in result fields actor");
    }

    @ParameterizedTest
    @CsvSource({
            "critical, CRITICAL", "High, HIGH", "moderate, MEDIUM", "low, LOW", "info, INFORMATIONAL",
            "5, CRITICAL", "4, HIGH", "3, MEDIUM", "2, LOW", "1, INFORMATIONAL"})
    void severityIsReadByNameOrNumber(String value, Severity expected) throws Exception {
        assertThat(normalize(withResult(COMPROMISED_USER, r -> r.put("severity", value))).severity())
                .isEqualTo(expected);
    }

    @Test
    void theFirstSeverityFieldWithAValueWins() throws Exception {
        assertThat(normalize(withResult(COMPROMISED_USER, r -> {
            r.put("severity", "");
            r.put("urgency", "2");
        })).severity()).isEqualTo(Severity.LOW);
        assertThat(normalize(withResult(COMPROMISED_USER, r -> {
            r.put("severity", "critical");
            r.put("urgency", "2");
        })).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(normalize(Map.of("severity-fields", "risk_level"), withResult(COMPROMISED_USER,
                r -> r.put("risk_level", "low"))).severity()).isEqualTo(Severity.LOW);
    }

    @Test
    void withoutASeverityFieldTheDefaultApplies() throws Exception {
        String body = withResult(COMPROMISED_USER, r -> r.remove("severity"));
        assertThat(normalize(body).severity()).isEqualTo(Severity.MEDIUM);
        assertThat(normalize(Map.of("default-severity", "critical"), body).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void aNonsenseSeverityIsRefusedNamingFieldAndValue() {
        assertThatThrownBy(() -> normalize(withResult(COMPROMISED_USER, r -> {
            r.remove("severity");
            r.put("urgency", "extreme");
        })))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("urgency")
                .hasMessageContaining("'extreme'");
    }

    @Test
    void aLongRefusedValueIsQuotedOnlyInPart() {
        String value = "x".repeat(10_000);
        assertThatThrownBy(() -> normalize(withResult(COMPROMISED_USER, r -> r.put("severity", value))))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("'" + "x".repeat(64) + "...'")
                .hasMessageNotContaining("x".repeat(65));
    }

    @ParameterizedTest
    @CsvSource({
            "1717243187.482, 2024-06-01T11:59:47.482Z",
            "1717243187, 2024-06-01T11:59:47Z",
            "1717243187.000001, 2024-06-01T11:59:47.000001Z",
            "2024-06-01T11:59:47Z, 2024-06-01T11:59:47Z",
            "2024-06-01T13:59:47.250+02:00, 2024-06-01T11:59:47.250Z"})
    void timeIsEpochSecondsOrIso8601(String value, Instant expected) throws Exception {
        assertThat(normalize(withResult(COMPROMISED_USER, r -> r.put("_time", value))).detectedAt())
                .isEqualTo(expected);
    }

    @Test
    void aNumericTimeKeepsItsFraction() throws Exception {
        assertThat(normalize(withResult(COMPROMISED_USER, r -> r.put("_time", new BigDecimal("1717243187.5"))))
                .detectedAt()).isEqualTo(Instant.ofEpochSecond(1717243187L, 500_000_000L));
    }

    @Test
    void withoutATimeTheTimeOfReceiptApplies() throws Exception {
        assertThat(normalize(withResult(COMPROMISED_USER, r -> r.remove("_time"))).detectedAt()).isEqualTo(RECEIVED);
    }

    @Test
    void theTimeFieldCanBeConfigured() throws Exception {
        assertThat(normalize(Map.of("time-field", "first_seen"),
                withResult(COMPROMISED_USER, r -> r.put("first_seen", "1717240000"))).detectedAt())
                .isEqualTo(Instant.ofEpochSecond(1717240000L));
    }

    @Test
    void anUnreadableTimeIsRefusedNamingFieldAndValue() {
        assertThatThrownBy(() -> normalize(withResult(COMPROMISED_USER, r -> r.put("_time", "yesterday"))))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("_time")
                .hasMessageContaining("'yesterday'");
    }

    @Test
    void aNullSearchNameLeavesTheDetectionEmpty() throws Exception {
        Signal signal = normalize(withResult(DOCS_EXAMPLE, r -> r.put("user", "alice")));
        assertThat(signal.detection()).isEmpty();
        assertThat(signal.dedupeKey()).startsWith("scheduler_admin_search_W2_at_14232356_132\u001f\u001f");
        assertThat(signal.link()).isEqualTo(
                "http://web.example.local:8000/app/search/@go?sid=scheduler_admin_search_W2_at_14232356_132");
        assertThat(signal.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(signal.detectedAt()).isEqualTo(RECEIVED);
    }

    @Test
    void theDedupeKeyFollowsSidAndSearchName() throws Exception {
        String body = read(COMPROMISED_USER);
        assertThat(normalize(body).dedupeKey()).isEqualTo(normalize(body).dedupeKey());
        assertThat(normalize(edited(COMPROMISED_USER, a -> a.put("sid", "scheduler__admin__search__other")))
                .dedupeKey()).isNotEqualTo(normalize(body).dedupeKey());
        assertThat(normalize(edited(COMPROMISED_USER, a -> a.put("search_name", "Another search")))
                .dedupeKey()).isNotEqualTo(normalize(body).dedupeKey());
    }

    @Test
    void aFieldCanNameItsOwnIdentityKind() throws Exception {
        Signal signal = normalize(Map.of("identity-fields", "user,token_accessor:api-token"),
                withResult(COMPROMISED_USER, r -> r.put("token_accessor", "hmac-acc-1")));
        assertThat(signal.identities()).extracting(i -> i.kind() + " " + i.name() + " " + i.externalId())
                .contains("API_TOKEN hmac-acc-1 hmac-acc-1");
        assertThat(signal.identities()).anyMatch(i -> i.kind() == io.irhub.connector.api.IdentityKind.USER);
    }

    @Test
    void eachResultOfAForEachResultAlertIsItsOwnSignal() throws Exception {
        // "trigger for each result" sends one delivery per row, all with the search's sid
        String first = read(COMPROMISED_USER);
        String second = withResult(COMPROMISED_USER, r -> r.put("user", "someone-else@example.com"));
        assertThat(normalize(second).dedupeKey()).isNotEqualTo(normalize(first).dedupeKey());
    }

    @Test
    void unknownTopLevelFieldsAndAMissingLinkAreFine() throws Exception {
        Signal signal = normalize(edited(COMPROMISED_USER, a -> {
            a.put("server_host", "sh1.example.com");
            a.putObject("configuration").put("url", "https://irhub.example.com/hooks/splunk-prod/x");
            a.remove("results_link");
        }));
        assertThat(signal.link()).isNull();
        assertThat(signal.identities()).isNotEmpty();
    }

    static Stream<Arguments> refusedBodies() {
        return Stream.of(
                Arguments.of("", "body is empty"),
                Arguments.of("sid=abc", "body is not valid JSON (line 1, column "),
                Arguments.of("{\n  \"sid\": \"abc\",\n  \"result\": {\"user\": alice}\n}", "body is not valid JSON (line 3, column "),
                Arguments.of("{\"sid\": \"a\"} {}", "body is not valid JSON"),
                Arguments.of("{\"sid\": \"a\", \"sid\": \"b\", \"result\": {\"user\": \"x\"}}", "body is not valid JSON"),
                Arguments.of("[{\"sid\": \"a\"}]", "body is not a JSON object"),
                Arguments.of("{\"result\": {\"user\": \"alice\"}}", "sid is missing"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.put("sid", "")), "sid is missing, blank or not a string"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.putObject("sid")), "sid is missing, blank or not a string"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.remove("result")), "result is missing or not an object"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.putArray("result")), "result is missing or not an object"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.put("search_name", 7)), "search_name is neither a string nor null"),
                Arguments.of(edited(COMPROMISED_USER, a -> a.put("results_link", true)), "results_link is neither a string nor null"));
    }

    @ParameterizedTest
    @MethodSource("refusedBodies")
    void bodiesNotInTheDocumentedFormatAreRefusedWithAClearMessage(String body, String message) {
        assertThatThrownBy(() -> normalize(body))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        byte[] latin1 = "{\"sid\": \"abc\", \"result\": {\"user\": \"jos\u00e9\"}}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> normalize(Map.of(), latin1))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("body is not valid UTF-8");
    }

    static Stream<String> bodiesCarryingASecret() {
        return Stream.of(
                withResult(DOCS_EXAMPLE, r -> r.put("session_key", PAYLOAD_SECRET)),
                withResult(COMPROMISED_USER, r -> {
                    r.put("session_key", PAYLOAD_SECRET);
                    r.put("severity", "extreme");
                }),
                withResult(COMPROMISED_USER, r -> {
                    r.put("session_key", PAYLOAD_SECRET);
                    r.put("_time", "not-a-time");
                }),
                edited(COMPROMISED_USER, a -> a.put("result", "session_key=" + PAYLOAD_SECRET)),
                edited(COMPROMISED_USER, a -> a.put("sid", " ")).replace("\"app\"", "\"" + PAYLOAD_SECRET + "\""),
                "{\"sid\": \"abc\", \"result\": {\"session_key\": " + PAYLOAD_SECRET + "}}",
                "{\"sid\": \"abc\", \"result\": {\"session_key\": \"" + PAYLOAD_SECRET + "\"}} " + PAYLOAD_SECRET,
                PAYLOAD_SECRET);
    }

    @ParameterizedTest
    @MethodSource("bodiesCarryingASecret")
    void refusalsNeverQuoteSecretsFromThePayload(String body) {
        try (OutputCapture capture = OutputCapture.start()) {
            assertThatThrownBy(() -> normalize(body))
                    .isInstanceOf(InvalidPayloadException.class)
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(PAYLOAD_SECRET, TOKEN);
                        }
                    });
            capture.assertContainsNone(List.of(PAYLOAD_SECRET, TOKEN));
        }
    }
}
