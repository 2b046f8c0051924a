package io.irhub.connector.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static io.irhub.connector.sentinel.SentinelFixtures.INCIDENT_CREATE;
import static io.irhub.connector.sentinel.SentinelFixtures.INCIDENT_ID;
import static io.irhub.connector.sentinel.SentinelFixtures.INCIDENT_UPDATE;
import static io.irhub.connector.sentinel.SentinelFixtures.edited;
import static io.irhub.connector.sentinel.SentinelFixtures.read;
import static io.irhub.connector.sentinel.SentinelFixtures.tree;
import static io.irhub.connector.sentinel.SentinelFixtures.withProperties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SentinelPayloadsTest {
    private static final Instant RECEIVED = Instant.parse("2024-06-01T12:00:30Z");
    private static final String PAYLOAD_SECRET = "hunter2-session-7c1f0e9a44d2";
    private static final String ALICE_ID = "0f6e2c14-6a8b-4d3e-9f71-5c2b8a4d1e90";
    private static final String BOB_ID = "8c3d5e7f-1a2b-4c6d-8e0f-2a4b6c8d0e1f";

    private final SentinelPayloads payloads = new SentinelPayloads("sentinel-prod", false);
    private final SentinelPayloads onSeverity = new SentinelPayloads("sentinel-prod", true);

    private Signal push(String body) throws InvalidPayloadException {
        return push(payloads, body);
    }

    private static Signal push(SentinelPayloads payloads, String body) throws InvalidPayloadException {
        return payloads.incident(body.getBytes(StandardCharsets.UTF_8), RECEIVED);
    }

    /** A relatedEntities entry of kind Account with the given properties. */
    private static ObjectNode account(String accountName, String upnSuffix, String aadUserId) {
        ObjectNode entity = JsonNodeFactory.instance.objectNode();
        entity.put("kind", "Account");
        ObjectNode properties = entity.putObject("properties");
        if (accountName != null) {
            properties.put("accountName", accountName);
        }
        if (upnSuffix != null) {
            properties.put("upnSuffix", upnSuffix);
        }
        if (aadUserId != null) {
            properties.put("aadUserId", aadUserId);
        }
        return entity;
    }

    // --- the incident trigger's body ----------------------------------------------------------------------------

    @Test
    void theCreatedIncidentBecomesOneSignalNamingBothAccounts() throws Exception {
        String body = read(INCIDENT_CREATE);
        Signal signal = push(body);
        assertThat(signal.sourceInstance()).isEqualTo("sentinel-prod");
        assertThat(signal.sourceType()).isEqualTo("sentinel");
        assertThat(signal.dedupeKey()).isEqualTo(INCIDENT_ID);
        assertThat(signal.detection()).isEqualTo("Impossible travel activity involving two users");
        assertThat(signal.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(signal.detectedAt()).isEqualTo(Instant.parse("2024-06-01T12:00:03.4417321Z"));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "alice@contoso.com", null, ALICE_ID),
                new Identity(IdentityKind.USER, "bob.jones@contoso.com", null, BOB_ID));
        assertThat(signal.link()).startsWith("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/")
                .endsWith("/Incidents/" + INCIDENT_ID);
        assertThat(signal.rawPayload()).isEqualTo(body);
    }

    @Test
    void anUpdatedIncidentKeepsItsDedupeKeySoItMakesOnePlan() throws Exception {
        Signal created = push(read(INCIDENT_CREATE));
        Signal updated = push(read(INCIDENT_UPDATE));
        assertThat(updated.severity()).isEqualTo(Severity.HIGH);
        assertThat(updated.dedupeKey()).isEqualTo(created.dedupeKey());
    }

    @Test
    void withActOnSeverityIncreaseARaiseToANewSeverityIsANewSignal() throws Exception {
        Signal created = push(onSeverity, read(INCIDENT_CREATE));
        Signal raised = push(onSeverity, read(INCIDENT_UPDATE));
        assertThat(created.dedupeKey()).isEqualTo(INCIDENT_ID + "\u001fmedium");
        assertThat(raised.dedupeKey()).isEqualTo(INCIDENT_ID + "\u001fhigh");
        // another update at the same severity (a comment, an owner) is the same signal again
        String commented = withProperties(INCIDENT_UPDATE, p -> p.put("status", "Active").putArray("comments"));
        assertThat(push(onSeverity, commented).dedupeKey()).isEqualTo(raised.dedupeKey());
    }

    @Test
    void anIncidentMirroredFromTheDefenderPortalIsKeyedByItsDefenderIdAsGraphKnowsIt() throws Exception {
        String mirrored = withProperties(INCIDENT_CREATE, p -> p.put("providerName", "Microsoft XDR")
                .put("providerIncidentId", "2972395"));
        assertThat(push(mirrored).dedupeKey()).isEqualTo("2972395");
        JsonNode graphIncident = tree(read("graph-incidents-page1.json")).get("value").get(0);
        assertThat(payloads.graphIncident(graphIncident)).get().extracting(Signal::dedupeKey).isEqualTo("2972395");
        // Sentinel's own incidents keep their own id even though they carry an incident number as providerIncidentId
        assertThat(push(read(INCIDENT_CREATE)).dedupeKey()).isEqualTo(INCIDENT_ID);
    }

    @Test
    void withoutANameTheIdsLastSegmentIsTheIncidentId() throws Exception {
        String body = edited(INCIDENT_CREATE, root -> ((ObjectNode) root.get("object")).remove("name"));
        assertThat(push(body).dedupeKey()).isEqualTo(INCIDENT_ID);
    }

    @Test
    void accountsWithoutAUpnSuffixOrOnlyAnObjectIdAreNamedAsFarAsTheyCan() throws Exception {
        Signal signal = push(withProperties(INCIDENT_CREATE, p -> {
            var entities = p.putArray("relatedEntities");
            entities.add(account("svc-backup", null, null));
            entities.add(account(null, null, "5d1c9e7a-2b4f-4c6d-8e0a-1b3c5d7e9f20"));
            ObjectNode onPrem = account("dave", null, null);
            ((ObjectNode) onPrem.get("properties")).put("sid", "S-1-5-21-1004336348-1177238915-682003330-512")
                    .put("ntDomain", "CONTOSO");
            entities.add(onPrem);
            entities.add(account(null, "contoso.com", null));
        }));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "svc-backup", null, null),
                new Identity(IdentityKind.USER, null, null, "5d1c9e7a-2b4f-4c6d-8e0a-1b3c5d7e9f20"),
                new Identity(IdentityKind.USER, "dave", null, "S-1-5-21-1004336348-1177238915-682003330-512"));
    }

    @Test
    void accountsNestedInAlertsAreReadAndMetWithTheIncidentsByLoginOrObjectId() throws Exception {
        Signal signal = push(withProperties(INCIDENT_CREATE, p -> {
            ObjectNode alert = (ObjectNode) p.get("alerts").get(0);
            var onAlert = alert.putArray("relatedEntities");
            onAlert.add(account("carol", "contoso.com", null));
            onAlert.add(account("ALICE", "contoso.com", null));
            var onProperties = ((ObjectNode) alert.get("properties")).putArray("relatedEntities");
            onProperties.add(account(null, null, BOB_ID));
        }));
        assertThat(signal.identities()).extracting(Identity::name)
                .containsExactly("alice@contoso.com", "bob.jones@contoso.com", "carol@contoso.com");
    }

    @Test
    void anIncidentWithoutAccountsIsRefusedNamingIt() {
        String ipOnly = withProperties(INCIDENT_CREATE, p -> {
            var entities = p.putArray("relatedEntities");
            entities.add(tree(read(INCIDENT_CREATE)).get("object").get("properties").get("relatedEntities").get(2));
        });
        assertThatThrownBy(() -> push(ipOnly))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageStartingWith("incident " + INCIDENT_ID + " names no account")
                .hasMessageContaining("Account entities");
    }

    @ParameterizedTest
    @CsvSource({"High, HIGH", "Medium, MEDIUM", "Low, LOW", "Informational, INFORMATIONAL"})
    void sentinelSeveritiesAreRead(String value, Severity expected) throws Exception {
        assertThat(push(withProperties(INCIDENT_CREATE, p -> p.put("severity", value))).severity()).isEqualTo(expected);
    }

    @Test
    void withoutACreationTimeTheTimeOfReceiptApplies() throws Exception {
        assertThat(push(withProperties(INCIDENT_CREATE, p -> p.remove("createdTimeUtc"))).detectedAt())
                .isEqualTo(RECEIVED);
    }

    @Test
    void aMissingTitleOrLinkIsFine() throws Exception {
        Signal signal = push(withProperties(INCIDENT_CREATE, p -> {
            p.remove("title");
            p.putNull("incidentUrl");
        }));
        assertThat(signal.detection()).isEmpty();
        assertThat(signal.link()).isNull();
    }

    static Stream<Arguments> refusedBodies() {
        return Stream.of(
                Arguments.of("", "body is empty"),
                Arguments.of("objectSchemaType=Incident", "body is not valid JSON (line 1, column "),
                Arguments.of("{\"objectSchemaType\": \"Incident\"} {}", "body is not valid JSON"),
                Arguments.of("{\"objectSchemaType\": \"Incident\", \"objectSchemaType\": \"Alert\"}",
                        "body is not valid JSON"),
                Arguments.of("[]", "body is not a JSON object"),
                Arguments.of("{\"object\": {}}", "objectSchemaType is missing or blank"),
                Arguments.of(edited(INCIDENT_CREATE, r -> r.put("objectSchemaType", "Alert")),
                        "objectSchemaType is 'Alert'; this source takes the incident trigger's body"),
                Arguments.of(edited(INCIDENT_CREATE, r -> r.put("object", "incident")),
                        "object is missing or not an object"),
                Arguments.of(edited(INCIDENT_CREATE, r -> ((ObjectNode) r.get("object")).putArray("properties")),
                        "object.properties is missing or not an object"),
                Arguments.of(edited(INCIDENT_CREATE, r -> ((ObjectNode) r.get("object")).remove(List.of("name", "id"))),
                        "object.name and object.id are both missing"),
                Arguments.of(edited(INCIDENT_CREATE, r -> ((ObjectNode) r.get("object")).put("name", 7)),
                        "object.name is neither a string nor null"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.put("severity", "Severe")),
                        "object.properties.severity has 'Severe', which is not a severity Sentinel or Graph uses"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.put("severity", " ")),
                        "object.properties.severity is missing or blank"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.put("createdTimeUtc", "yesterday")),
                        "object.properties.createdTimeUtc has 'yesterday', which is not an ISO-8601 time"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.put("relatedEntities", "alice")),
                        "object.properties.relatedEntities is neither an array nor null"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.putObject("alerts")),
                        "object.properties.alerts is neither an array nor null"),
                Arguments.of(withProperties(INCIDENT_CREATE, p -> p.put("incidentUrl", true)),
                        "object.properties.incidentUrl is neither a string nor null"));
    }

    @ParameterizedTest
    @MethodSource("refusedBodies")
    void bodiesNotInTheDocumentedFormatAreRefusedWithAClearMessage(String body, String message) {
        assertThatThrownBy(() -> push(body))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        byte[] latin1 = read(INCIDENT_CREATE).replace("Alice Example", "Jos\u00e9 Example")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> payloads.incident(latin1, RECEIVED))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("body is not valid UTF-8");
    }

    static Stream<String> bodiesCarryingASecret() {
        return Stream.of(
                withProperties(INCIDENT_CREATE, p -> {
                    p.put("description", "session key " + PAYLOAD_SECRET);
                    p.put("severity", "extreme");
                }),
                withProperties(INCIDENT_CREATE, p -> {
                    p.put("description", PAYLOAD_SECRET);
                    p.putArray("relatedEntities");
                }),
                withProperties(INCIDENT_CREATE, p -> p.put("createdTimeUtc", "x".repeat(100) + PAYLOAD_SECRET)),
                "{\"objectSchemaType\": \"Incident\", \"object\": {\"name\": " + PAYLOAD_SECRET + "}}",
                "{\"objectSchemaType\": \"Incident\"} " + PAYLOAD_SECRET,
                PAYLOAD_SECRET);
    }

    @ParameterizedTest
    @MethodSource("bodiesCarryingASecret")
    void refusalsNeverQuoteSecretsFromThePayload(String body) {
        try (OutputCapture capture = OutputCapture.start()) {
            assertThatThrownBy(() -> push(body))
                    .isInstanceOf(InvalidPayloadException.class)
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(PAYLOAD_SECRET);
                        }
                    });
            capture.assertContainsNone(List.of(PAYLOAD_SECRET));
        }
    }

    // --- Graph's security/incident -------------------------------------------------------------------------------

    @Test
    void aGraphIncidentWithUserEvidenceBecomesASignal() throws Exception {
        JsonNode incident = tree(read("graph-incidents-page1.json")).get("value").get(0);
        Signal signal = payloads.graphIncident(incident).orElseThrow();
        assertThat(signal.dedupeKey()).isEqualTo("2972395");
        assertThat(signal.detection()).isEqualTo("Password spray and suspicious inbox rule involving one user");
        assertThat(signal.severity()).isEqualTo(Severity.HIGH);
        assertThat(signal.detectedAt()).isEqualTo(Instant.parse("2024-06-01T11:12:08.5533333Z"));
        assertThat(signal.identities()).containsExactly(
                new Identity(IdentityKind.USER, "alice@contoso.com", null, ALICE_ID));
        assertThat(signal.link()).isEqualTo(
                "https://security.microsoft.com/incidents/2972395?tid=72f988bf-86f1-41af-91ab-2d7cd011db47");
        assertThat(tree(signal.rawPayload())).isEqualTo(incident);
        assertThat(onSeverity.graphIncident(incident).orElseThrow().dedupeKey()).isEqualTo("2972395\u001fhigh");
    }

    @Test
    void aGraphIncidentWithoutUserEvidenceMakesNoSignal() throws Exception {
        JsonNode deviceOnly = tree(read("graph-incidents-page1.json")).get("value").get(1);
        assertThat(payloads.graphIncident(deviceOnly)).isEmpty();
    }

    @Test
    void userEvidenceOfOneUserInTwoAlertsIsOneIdentityAndProcessAccountsAreNotUsers() throws Exception {
        JsonNode incident = tree(read("graph-incidents-page2.json")).get("value").get(0);
        assertThat(payloads.graphIncident(incident).orElseThrow().identities()).containsExactly(
                new Identity(IdentityKind.USER, "carol@contoso.com", null, "4a7b9c1d-3e5f-4a6b-8c7d-9e0f1a2b3c4d"));
    }

    @ParameterizedTest
    @CsvSource({"high, HIGH", "medium, MEDIUM", "low, LOW", "informational, INFORMATIONAL",
            "unknown, INFORMATIONAL", "unknownFutureValue, INFORMATIONAL"})
    void graphSeveritiesAreRead(String value, Severity expected) throws Exception {
        ObjectNode incident = (ObjectNode) tree(read("graph-incidents-page1.json")).get("value").get(0);
        incident.put("severity", value);
        assertThat(payloads.graphIncident(incident).orElseThrow().severity()).isEqualTo(expected);
    }

    @Test
    void aGraphIncidentWithoutIdOrWithAnUnknownSeverityIsRefused() {
        ObjectNode noId = (ObjectNode) tree(read("graph-incidents-page1.json")).get("value").get(0);
        noId.remove("id");
        assertThatThrownBy(() -> payloads.graphIncident(noId)).hasMessage("id is missing or blank");
        ObjectNode odd = (ObjectNode) tree(read("graph-incidents-page1.json")).get("value").get(0);
        odd.put("severity", "catastrophic");
        assertThatThrownBy(() -> payloads.graphIncident(odd)).hasMessageStartingWith("severity has 'catastrophic'");
    }
}
