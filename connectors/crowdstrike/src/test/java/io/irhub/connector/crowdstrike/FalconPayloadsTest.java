package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.crowdstrike.FalconPayloads.UserName;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ENTITIES;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.EPP_EVENT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.FUSION;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.IDP_ALERT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.JDOE_SID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.LEGACY_EVENT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.edited;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.read;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.tree;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.withEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FalconPayloadsTest {
    private static final Instant RECEIVED = Instant.parse("2026-11-02T09:00:00Z");
    private static final String PAYLOAD_SECRET = "hunter2-session-7c1f0e9a44d2";
    private static final String LINK = "https://falcon.crowdstrike.com/activity-v2/detections/" + ALERT_ID
            + "?_cid=7e1c4b2a9d8f4e3c8b6a5d4c3b2a1f0e";

    private static List<Signal> deliver(String body) throws InvalidPayloadException {
        return FalconPayloads.fromDelivery("falcon-prod", body.getBytes(StandardCharsets.UTF_8), RECEIVED);
    }

    private static Signal one(String body) throws InvalidPayloadException {
        List<Signal> signals = deliver(body);
        assertThat(signals).hasSize(1);
        return signals.get(0);
    }

    private static Signal alertWithUser(Consumer<ObjectNode> user) throws InvalidPayloadException {
        return one(edited(ALERT, a -> {
            a.remove("user_name");
            a.remove("user_principal");
            a.remove("user_id");
            a.remove("logon_domain");
            user.accept(a);
        }));
    }

    // --- alerts ---------------------------------------------------------------------------------------------

    @Test
    void anAlertOfTheAlertsApiBecomesOneSignal() throws Exception {
        String body = read(ALERT);
        Signal signal = one(body);
        assertThat(signal.sourceInstance()).isEqualTo("falcon-prod");
        assertThat(signal.sourceType()).isEqualTo("crowdstrike");
        assertThat(signal.dedupeKey()).isEqualTo(ALERT_ID);
        assertThat(signal.detection()).isEqualTo("Credential dumping from LSASS");
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.parse("2026-11-02T08:41:17.332918406Z"));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "jdoe@example.com", null, JDOE_SID));
        assertThat(signal.link()).isEqualTo(LINK);
        assertThat(signal.rawPayload()).isEqualTo(body);
    }

    @Test
    void theAlertsApiAnswerBecomesOneSignalPerAlertEachKeepingTheWholeBody() throws Exception {
        String body = edited(ENTITIES, r -> ((ArrayNode) r.get("resources")).remove(2));
        List<Signal> signals = deliver(body);
        assertThat(signals).extracting(Signal::dedupeKey).containsExactly(ALERT_ID, IDP_ALERT_ID);
        assertThat(signals).allSatisfy(s -> assertThat(s.rawPayload()).isEqualTo(body));
        assertThat(signals.get(1).identities()).containsExactly(new Identity(IdentityKind.USER, "asmith@example.com",
                null, "S-1-5-21-3623811015-3361044348-30300820-1107"));
        assertThat(signals.get(1).detection()).isEqualTo("Identity verification denied");
    }

    @Test
    void aResourcesArrayIsRefusedWhenAnyAlertNamesNoUser() {
        assertThatThrownBy(() -> deliver(read(ENTITIES)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("names no user")
                .hasMessageContaining("resources[2].user_name");
    }

    @Test
    void theBodyAFusionWorkflowBuildsIsEnough() throws Exception {
        Signal signal = one(read(FUSION));
        assertThat(signal.dedupeKey()).isEqualTo(ALERT_ID);
        assertThat(signal.identities()).containsExactly(new Identity(IdentityKind.USER, "jdoe", null, null));
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.parse("2026-11-02T08:41:17Z"));
        assertThat(signal.link()).isEqualTo(LINK);
    }

    @Test
    void theUpnIsPreferredAsLoginAndTheSidIsTheExternalId() throws Exception {
        assertThat(alertWithUser(a -> {
            a.put("user_name", "CORP\\jdoe");
            a.put("user_principal", "John.Doe@example.com");
            a.put("user_id", JDOE_SID.toLowerCase());
        }).identities()).containsExactly(new Identity(IdentityKind.USER, "John.Doe@example.com", null, JDOE_SID));
    }

    @Test
    void aDomainPrefixIsStrippedFromTheUserName() throws Exception {
        assertThat(alertWithUser(a -> a.put("user_name", "CORP\\jdoe")).identities())
                .containsExactly(new Identity(IdentityKind.USER, "jdoe", null, null));
        assertThat(alertWithUser(a -> a.put("user_name", "NT AUTHORITY\\SYSTEM")).identities())
                .extracting(Identity::login).containsExactly("SYSTEM");
    }

    @CsvSource(delimiter = '|', value = {
            "CORP\\jdoe | CORP | jdoe",
            "jdoe | | jdoe",
            "  corp.example.com\\jdoe  | corp.example.com | jdoe",
            "\\jdoe | | jdoe",
            "CORP\\ | CORP | ",
            "jdoe@example.com | | jdoe@example.com"})
    @ParameterizedTest
    void userNamesSplitAtTheirDomainPrefix(String value, String domain, String name) {
        assertThat(UserName.parse(value)).isEqualTo(new UserName(domain, name));
    }

    @Test
    void aSidAloneNamesTheUser() throws Exception {
        assertThat(alertWithUser(a -> a.put("user_id", JDOE_SID)).identities())
                .containsExactly(new Identity(IdentityKind.USER, null, null, JDOE_SID));
    }

    @Test
    void aUserIdThatIsNoSidIsNotAnExternalId() throws Exception {
        assertThat(alertWithUser(a -> {
            a.put("user_name", "root");
            a.put("user_id", "0");
        }).identities()).containsExactly(new Identity(IdentityKind.USER, "root", null, null));
        assertThatThrownBy(() -> alertWithUser(a -> a.put("user_id", "501")))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("names no user");
    }

    @Test
    void aComputerAccountIsAServiceAccount() throws Exception {
        assertThat(alertWithUser(a -> {
            a.put("user_name", "CORP\\WS-FIN-0231$");
            a.put("user_id", "S-1-5-18");
        }).identities()).containsExactly(new Identity(IdentityKind.SERVICE_ACCOUNT, "WS-FIN-0231$", null, "S-1-5-18"));
    }

    @Test
    void identityProtectionAccountFieldsAreReadWhenTheUserFieldsAreEmpty() throws Exception {
        assertThat(alertWithUser(a -> {
            a.put("user_name", "asmith");
            a.put("source_account_upn", "asmith@example.com");
            a.put("source_account_object_sid", "S-1-5-21-1-2-3-1107");
        }).identities()).containsExactly(new Identity(IdentityKind.USER, "asmith@example.com", null, "S-1-5-21-1-2-3-1107"));
    }

    @ParameterizedTest
    @CsvSource({
            "Critical, CRITICAL", "High, HIGH", "Medium, MEDIUM", "Low, LOW", "Informational, INFORMATIONAL",
            "critical, CRITICAL", "INFO, INFORMATIONAL"})
    void theSeverityNameWins(String name, Severity expected) throws Exception {
        assertThat(one(edited(ALERT, a -> {
            a.put("severity_name", name);
            a.put("severity", 10);
        })).severity()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "100, CRITICAL", "90, CRITICAL", "89, HIGH", "79, HIGH", "70, HIGH", "69, MEDIUM", "50, MEDIUM",
            "49, LOW", "30, LOW", "20, LOW", "19, INFORMATIONAL", "1, INFORMATIONAL", "0, INFORMATIONAL"})
    void withoutANameTheScoreIsMappedOnCrowdStrikesScale(int score, Severity expected) throws Exception {
        assertThat(FalconPayloads.fromScore(score)).isEqualTo(expected);
        assertThat(one(edited(ALERT, a -> {
            a.remove("severity_name");
            a.put("severity", score);
        })).severity()).isEqualTo(expected);
        assertThat(one(edited(ALERT, a -> {
            a.putNull("severity_name");
            a.put("severity", Integer.toString(score));
        })).severity()).isEqualTo(expected);
    }

    @Test
    void theTimeFallsBackToTimestampThenToReceipt() throws Exception {
        assertThat(one(edited(ALERT, a -> a.remove("created_timestamp"))).detectedAt())
                .isEqualTo(Instant.parse("2026-11-02T08:40:55.118Z"));
        assertThat(one(edited(ALERT, a -> {
            a.remove("created_timestamp");
            a.remove("timestamp");
        })).detectedAt()).isEqualTo(RECEIVED);
        assertThat(one(edited(ALERT, a -> a.put("created_timestamp", "2026-11-02T10:41:17.5+02:00"))).detectedAt())
                .isEqualTo(Instant.parse("2026-11-02T08:41:17.5Z"));
    }

    @Test
    void theDetectionFallsBackToNameThenTacticAndTechnique() throws Exception {
        assertThat(one(edited(ALERT, a -> a.remove("display_name"))).detection()).isEqualTo("CredentialDumpingLsass");
        assertThat(one(edited(ALERT, a -> {
            a.remove("display_name");
            a.remove("name");
        })).detection()).isEqualTo("Credential Access / OS Credential Dumping");
        assertThat(one(edited(ALERT, a -> {
            a.remove("display_name");
            a.remove("name");
            a.remove("tactic");
            a.remove("technique");
        })).detection()).isEmpty();
    }

    @Test
    void theDedupeKeyIsTheCompositeId() throws Exception {
        Signal pushed = one(read(ALERT));
        Signal streamed = FalconPayloads.fromEventStream("falcon-prod", read(EPP_EVENT));
        Signal pulled = FalconPayloads.fromAlert("falcon-prod",
                tree(read(ENTITIES)).get("resources").get(0).toString(), RECEIVED);
        assertThat(List.of(pushed.dedupeKey(), streamed.dedupeKey(), pulled.dedupeKey())).containsOnly(ALERT_ID);
        assertThat(one(edited(ALERT, a -> a.put("composite_id", "other:ind:x:1"))).dedupeKey())
                .isNotEqualTo(pushed.dedupeKey());
    }

    // --- Event Streams --------------------------------------------------------------------------------------

    @Test
    void anEppDetectionSummaryEventBecomesASignal() throws Exception {
        String json = read(EPP_EVENT);
        Signal signal = FalconPayloads.fromEventStream("falcon-stream", json);
        assertThat(signal.sourceInstance()).isEqualTo("falcon-stream");
        assertThat(signal.sourceType()).isEqualTo("crowdstrike");
        assertThat(signal.dedupeKey()).isEqualTo(ALERT_ID);
        assertThat(signal.detection()).isEqualTo("Credential dumping from LSASS");
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.ofEpochMilli(1793608878412L));
        assertThat(signal.identities()).containsExactly(new Identity(IdentityKind.USER, "jdoe", null, null));
        assertThat(signal.link()).isEqualTo(LINK);
        assertThat(signal.rawPayload()).isEqualTo(json);
    }

    @Test
    void aLegacyDetectionSummaryEventBecomesASignal() throws Exception {
        Signal signal = FalconPayloads.fromEventStream("falcon-stream", read(LEGACY_EVENT));
        assertThat(signal.dedupeKey()).isEqualTo("ldt:3a9f8c2d5e6b4f7a8c1d2e3f4a5b6c7d:412388134512");
        assertThat(signal.detection()).isEqualTo("Credential Theft");
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.identities()).containsExactly(new Identity(IdentityKind.USER, "jdoe", null, null));
        assertThat(signal.detectedAt()).isEqualTo(Instant.ofEpochMilli(1793608878000L));
    }

    @ParameterizedTest
    @CsvSource({"5, CRITICAL", "4, HIGH", "3, MEDIUM", "2, LOW", "1, INFORMATIONAL"})
    void theLegacyEventScoresOneToFive(int score, Severity expected) throws Exception {
        assertThat(FalconPayloads.fromEventStream("s", withEvent(LEGACY_EVENT, e -> {
            e.remove("SeverityName");
            e.put("Severity", score);
        })).severity()).isEqualTo(expected);
    }

    @Test
    void theEppEventScoresOneToHundred() throws Exception {
        assertThat(FalconPayloads.fromEventStream("s", withEvent(EPP_EVENT, e -> {
            e.remove("SeverityName");
            e.put("Severity", 30);
        })).severity()).isEqualTo(Severity.LOW);
    }

    @Test
    void theEventTypeIsMatchedIgnoringCase() throws Exception {
        // Falcon has spelled it EPPDetectionSummaryEvent too
        String json = edited(EPP_EVENT, r -> ((ObjectNode) r.get("metadata")).put("eventType", "EPPDetectionSummaryEvent"));
        assertThat(FalconPayloads.fromEventStream("s", json).dedupeKey()).isEqualTo(ALERT_ID);
    }

    @Test
    void eventUserNamesAndSidsAreReadLikeAlerts() throws Exception {
        Signal signal = FalconPayloads.fromEventStream("s", withEvent(EPP_EVENT, e -> {
            e.put("UserName", "CORP\\jdoe");
            e.put("UserSid", JDOE_SID);
        }));
        assertThat(signal.identities()).containsExactly(new Identity(IdentityKind.USER, "jdoe", null, JDOE_SID));
    }

    @Test
    void eventsAreAcceptedOnThePushEndpointToo() throws Exception {
        String json = read(LEGACY_EVENT);
        assertThat(one(json).dedupeKey()).isEqualTo("ldt:3a9f8c2d5e6b4f7a8c1d2e3f4a5b6c7d:412388134512");
    }

    @Test
    void otherEventTypesAreRefusedNamingTheType() {
        assertThatThrownBy(() -> FalconPayloads.fromEventStream("s",
                edited(EPP_EVENT, r -> ((ObjectNode) r.get("metadata")).put("eventType", "UserActivityAuditEvent"))))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("metadata.eventType 'UserActivityAuditEvent' is not a detection (expected "
                        + "EppDetectionSummaryEvent or DetectionSummaryEvent)");
    }

    // --- refusals -------------------------------------------------------------------------------------------

    static Stream<Arguments> refusedBodies() {
        return Stream.of(
                Arguments.of("", "body is empty"),
                Arguments.of("composite_id=x", "body is not valid JSON (line 1, column "),
                Arguments.of("{\"composite_id\": \"a\"} {}", "body is not valid JSON"),
                Arguments.of("[" + read(ALERT) + "]", "body is not a JSON object"),
                Arguments.of(edited(ALERT, a -> a.remove("composite_id")), "composite_id is missing, blank or not a string"),
                Arguments.of(edited(ALERT, a -> a.putArray("user_name")), "user_name is neither a string nor null"),
                Arguments.of(edited(ALERT, a -> {
                    a.remove("severity_name");
                    a.remove("severity");
                }), "severity_name and severity are both missing"),
                Arguments.of(edited(ALERT, a -> {
                    a.remove("severity_name");
                    a.put("severity", 101);
                }), "severity is 101, outside 1..100"),
                Arguments.of(edited(ALERT, a -> {
                    a.remove("severity_name");
                    a.put("severity", 7.5);
                }), "severity is not a whole number 1..100"),
                Arguments.of(edited(ALERT, a -> a.put("severity_name", "Severe")),
                        "severity_name has 'Severe', which is not a severity"),
                Arguments.of(edited(ALERT, a -> a.put("created_timestamp", "2026-11-02 08:41")),
                        "created_timestamp has '2026-11-02 08:41', which is not an ISO-8601 time"),
                Arguments.of("{\"resources\": {}}", "resources is not a non-empty array of alerts"),
                Arguments.of("{\"resources\": [1]}", "resources[0] is not an alert object"),
                Arguments.of("{\"metadata\": {}}", "metadata or event is missing or not an object"),
                Arguments.of(edited(EPP_EVENT, r -> ((ObjectNode) r.get("metadata")).put("eventCreationTime", "now")),
                        "metadata.eventCreationTime is missing or not epoch milliseconds"),
                Arguments.of(withEvent(EPP_EVENT, e -> e.remove("UserName")), "event '" + ALERT_ID + "' names no user"),
                Arguments.of(withEvent(LEGACY_EVENT, e -> e.remove("DetectId")), "event.DetectId is missing"),
                Arguments.of(withEvent(LEGACY_EVENT, e -> {
                    e.remove("SeverityName");
                    e.put("Severity", 70);
                }), "event.Severity is 70, outside 1..5"));
    }

    @ParameterizedTest
    @MethodSource("refusedBodies")
    void bodiesNotInTheDocumentedFormatAreRefusedWithAClearMessage(String body, String message) {
        assertThatThrownBy(() -> deliver(body))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        byte[] latin1 = "{\"composite_id\": \"x\", \"user_name\": \"jos\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> FalconPayloads.fromDelivery("s", latin1, RECEIVED))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("body is not valid UTF-8");
    }

    static Stream<String> bodiesCarryingASecret() {
        return Stream.of(
                edited(ALERT, a -> {
                    a.put("cmdline", "net use \\\\srv /user:jdoe " + PAYLOAD_SECRET);
                    a.put("severity_name", "extreme");
                }),
                edited(ALERT, a -> {
                    a.put("cmdline", PAYLOAD_SECRET);
                    a.remove("user_name");
                    a.remove("user_principal");
                    a.remove("user_id");
                }),
                "{\"composite_id\": \"x\", \"cmdline\": " + PAYLOAD_SECRET + "}",
                "{\"composite_id\": \"x\"} " + PAYLOAD_SECRET,
                withEvent(EPP_EVENT, e -> {
                    e.put("CommandLine", PAYLOAD_SECRET);
                    e.put("Severity", "x");
                    e.remove("SeverityName");
                }),
                PAYLOAD_SECRET);
    }

    @ParameterizedTest
    @MethodSource("bodiesCarryingASecret")
    void refusalsNeverQuoteSecretsFromThePayload(String body) {
        try (OutputCapture capture = OutputCapture.start()) {
            assertThatThrownBy(() -> deliver(body))
                    .isInstanceOf(InvalidPayloadException.class)
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(PAYLOAD_SECRET);
                        }
                    });
            capture.assertContainsNone(List.of(PAYLOAD_SECRET));
        }
    }

    @Test
    void rawResourcesKeepEachAlertAsCrowdStrikeSpelledIt() throws Exception {
        String answer = read(ENTITIES);
        List<String> alerts = FalconPayloads.rawResources(answer);
        assertThat(alerts).hasSize(3).allSatisfy(a -> assertThat(answer).contains(a));
        for (int i = 0; i < 3; i++) {
            assertThat(tree(alerts.get(i))).isEqualTo(tree(answer).get("resources").get(i));
        }
        assertThat(FalconPayloads.rawResources("{\"meta\": {}, \"resources\": null}")).isEmpty();
        assertThatThrownBy(() -> FalconPayloads.rawResources("{\"meta\": {}}"))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("no resources");
    }
}
