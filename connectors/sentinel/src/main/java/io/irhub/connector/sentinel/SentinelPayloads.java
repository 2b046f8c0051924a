package io.irhub.connector.sentinel;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Sentinel incidents in their two documented shapes and makes one signal of each:
 * <ul>
 *   <li>the body of the Logic Apps "Microsoft Sentinel incident" trigger, which an automation rule's playbook
 *       forwards: {@code {eventUniqueId, objectSchemaType: "Incident", objectEventType, workspaceInfo, workspaceId,
 *       object: {id, name, properties: {title, severity, status, incidentUrl, providerName, providerIncidentId,
 *       createdTimeUtc, alerts[], relatedEntities[], comments[], …}}}};</li>
 *   <li>a Microsoft Graph {@code security/incident} with its alerts expanded: {@code {id, displayName, severity,
 *       status, incidentWebUrl, createdDateTime, lastUpdateDateTime, alerts: [{evidence: […]}]}}.</li>
 * </ul>
 * Both name an incident by the same id when the incident lives in the Defender portal, so a push and a pull of one
 * incident make one signal.
 */
final class SentinelPayloads {
    static final ObjectMapper JSON = JsonMapper.builder()
            // parser messages would otherwise quote the body, which may carry comments and command lines
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final String USER_EVIDENCE = "#microsoft.graph.security.userEvidence";

    // Sentinel names the provider of incidents it mirrors from the Defender portal so; those incidents carry the
    // Defender incident id, which is the id Graph's security/incidents knows them by
    private static final Set<String> DEFENDER_PROVIDERS =
            Set.of("microsoft xdr", "microsoft defender xdr", "microsoft 365 defender");
    private static final String KEY_SEPARATOR = "\u001f";
    private static final int QUOTED_VALUE_LIMIT = 64;

    private final String instance;
    private final boolean actOnSeverityIncrease;

    SentinelPayloads(String instance, boolean actOnSeverityIncrease) {
        this.instance = instance;
        this.actOnSeverityIncrease = actOnSeverityIncrease;
    }

    /**
     * Reads the incident trigger's body, as the Logic App's HTTP action posts it.
     *
     * @param receivedAt the detection time when the incident has no {@code createdTimeUtc}
     * @throws InvalidPayloadException naming what is wrong; it quotes only short severity or time values
     */
    Signal incident(byte[] body, Instant receivedAt) throws InvalidPayloadException {
        String text = utf8(body);
        JsonNode root = parse(text);
        if (!root.isObject()) {
            throw new InvalidPayloadException("body is not a JSON object (expected the Microsoft Sentinel incident "
                    + "trigger's {objectSchemaType, objectEventType, object, …})");
        }
        String schemaType = requiredText(root, "objectSchemaType", "objectSchemaType");
        if (!schemaType.equalsIgnoreCase("Incident")) {
            throw new InvalidPayloadException("objectSchemaType is " + quote(schemaType)
                    + "; this source takes the incident trigger's body (objectSchemaType \"Incident\")");
        }
        JsonNode object = root.get("object");
        if (object == null || !object.isObject()) {
            throw new InvalidPayloadException("object is missing or not an object (expected the incident)");
        }
        JsonNode properties = object.get("properties");
        if (properties == null || !properties.isObject()) {
            throw new InvalidPayloadException("object.properties is missing or not an object");
        }
        String id = incidentId(object, properties);
        Severity severity = severity("object.properties.severity",
                requiredText(properties, "severity", "object.properties.severity"));
        String title = optionalText(properties, "title", "object.properties.title");
        String link = optionalText(properties, "incidentUrl", "object.properties.incidentUrl");
        Instant detectedAt = time(properties, "createdTimeUtc", "object.properties.createdTimeUtc")
                .orElse(receivedAt);

        Identities identities = new Identities();
        for (JsonNode entity : array(properties, "relatedEntities", "object.properties.relatedEntities")) {
            identities.addAccountEntity(entity);
        }
        // the trigger's alerts carry no entities of their own; a playbook that adds them (for example from
        // "Entities - Get Accounts") may put them under the alert or its properties
        for (JsonNode alert : array(properties, "alerts", "object.properties.alerts")) {
            for (JsonNode holder : List.of(alert, alert.path("properties"))) {
                JsonNode nested = holder.get("relatedEntities");
                if (nested != null && nested.isArray()) {
                    nested.forEach(identities::addAccountEntity);
                }
            }
        }
        if (identities.isEmpty()) {
            throw new InvalidPayloadException("incident " + id + " names no account (no relatedEntities entry of kind "
                    + "Account with an accountName, aadUserId or sid); scope the automation rule to analytics rules "
                    + "that map Account entities");
        }
        return new Signal(instance, SentinelConnector.ID, dedupeKey(id, severity), title, severity, detectedAt,
                identities.list(), link, text);
    }

    /**
     * Reads one incident of Graph's {@code GET /security/incidents?$expand=alerts}.
     *
     * @return empty when no alert of the incident has user evidence: the hub has nobody to act on
     * @throws InvalidPayloadException when the incident has no id, or a severity or time that cannot be read
     */
    Optional<Signal> graphIncident(JsonNode incident) throws InvalidPayloadException {
        if (!incident.isObject()) {
            throw new InvalidPayloadException("an entry of value is not an object");
        }
        String id = requiredText(incident, "id", "id");
        Identities identities = new Identities();
        for (JsonNode alert : array(incident, "alerts", "alerts")) {
            JsonNode evidence = alert.get("evidence");
            if (evidence == null || !evidence.isArray()) {
                continue;
            }
            for (JsonNode item : evidence) {
                if (USER_EVIDENCE.equals(item.path("@odata.type").asText())) {
                    identities.addUserAccount(item.path("userAccount"));
                }
            }
        }
        if (identities.isEmpty()) {
            return Optional.empty();
        }
        Severity severity = severity("severity", requiredText(incident, "severity", "severity"));
        return Optional.of(new Signal(instance, SentinelConnector.ID, dedupeKey(id, severity),
                optionalText(incident, "displayName", "displayName"), severity,
                time(incident, "createdDateTime", "createdDateTime").orElseThrow(
                        () -> new InvalidPayloadException("incident " + id + " has no createdDateTime")),
                identities.list(), optionalText(incident, "incidentWebUrl", "incidentWebUrl"), incident.toString()));
    }

    /**
     * One signal per incident however often it is updated; with {@code act-on-severity-increase}, one per incident
     * and severity, so a raise to a severity not seen before is a new signal. An id never holds the unit separator,
     * so the key splits back into its parts.
     */
    String dedupeKey(String incidentId, Severity severity) {
        return actOnSeverityIncrease ? incidentId + KEY_SEPARATOR + severity.wireName() : incidentId;
    }

    /**
     * The Defender incident id for incidents Sentinel mirrors from the Defender portal (the id Graph uses), else the
     * Sentinel incident's own id: its name (a GUID), or the last segment of its ARM id.
     */
    private static String incidentId(JsonNode object, JsonNode properties) throws InvalidPayloadException {
        String provider = optionalText(properties, "providerName", "object.properties.providerName");
        JsonNode providerIdNode = properties.get("providerIncidentId");
        String providerId = providerIdNode != null && (providerIdNode.isTextual() || providerIdNode.isIntegralNumber())
                && !providerIdNode.asText().isBlank() ? providerIdNode.asText().trim() : null;
        if (provider != null && providerId != null && DEFENDER_PROVIDERS.contains(provider.toLowerCase(Locale.ROOT))) {
            return providerId;
        }
        String name = optionalText(object, "name", "object.name");
        if (name != null) {
            return name;
        }
        String armId = optionalText(object, "id", "object.id");
        if (armId != null) {
            String trimmed = armId.replaceAll("/+$", "");
            return trimmed.substring(trimmed.lastIndexOf('/') + 1);
        }
        throw new InvalidPayloadException("object.name and object.id are both missing, so the incident has no id");
    }

    /**
     * Sentinel's High, Medium, Low, Informational; Graph's lower-case names and its {@code unknown}, which is read as
     * informational so that no policy acts on it automatically.
     */
    static Severity severity(String field, String value) throws InvalidPayloadException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("unknown") || v.equals("unknownfuturevalue")) {
            return Severity.INFORMATIONAL;
        }
        try {
            return Severity.parse(v);
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException(field + " has " + quote(value)
                    + ", which is not a severity Sentinel or Graph uses (High, Medium, Low, Informational)");
        }
    }

    /** The accounts an incident names, each once: two mentions of one account meet by login or by object id. */
    private static final class Identities {
        private final List<Identity> identities = new ArrayList<>();

        /** A Sentinel entity of kind Account: {@code properties.{accountName, upnSuffix, aadUserId, sid, …}}. */
        void addAccountEntity(JsonNode entity) {
            if (!"account".equalsIgnoreCase(entity.path("kind").asText())) {
                return;
            }
            JsonNode p = entity.path("properties");
            String accountName = text(p, "accountName");
            String upnSuffix = text(p, "upnSuffix");
            String login = accountName == null ? null : upnSuffix == null ? accountName : accountName + "@" + upnSuffix;
            String aadUserId = text(p, "aadUserId");
            add(login, aadUserId != null ? aadUserId : text(p, "sid"));
        }

        /** Graph's {@code userAccount}: the UPN is the login, the Entra object id (else the SID) the external id. */
        void addUserAccount(JsonNode account) {
            String upn = text(account, "userPrincipalName");
            String aadUserId = text(account, "azureAdUserId");
            add(upn != null ? upn : text(account, "accountName"), aadUserId != null ? aadUserId : text(account, "userSid"));
        }

        private void add(String login, String externalId) {
            if (login == null && externalId == null) {
                return;
            }
            for (int i = 0; i < identities.size(); i++) {
                Identity known = identities.get(i);
                boolean sameLogin = login != null && login.equalsIgnoreCase(known.login());
                boolean sameId = externalId != null && externalId.equalsIgnoreCase(known.externalId());
                if (sameLogin || sameId) {
                    identities.set(i, new Identity(IdentityKind.USER, known.login() != null ? known.login() : login,
                            null, known.externalId() != null ? known.externalId() : externalId));
                    return;
                }
            }
            identities.add(new Identity(IdentityKind.USER, login, null, externalId));
        }

        boolean isEmpty() {
            return identities.isEmpty();
        }

        List<Identity> list() {
            return List.copyOf(identities);
        }
    }

    private static String utf8(byte[] body) throws InvalidPayloadException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPayloadException("body is not valid UTF-8");
        }
    }

    private static JsonNode parse(String text) throws InvalidPayloadException {
        if (text.isBlank()) {
            throw new InvalidPayloadException("body is empty");
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // the parser's own message quotes the offending token, so neither it nor the cause is passed on
            JsonLocation at = e.getLocation();
            throw new InvalidPayloadException(at == null ? "body is not valid JSON"
                    : "body is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        }
    }

    private static String requiredText(JsonNode node, String field, String path) throws InvalidPayloadException {
        String value = optionalText(node, field, path);
        if (value == null) {
            throw new InvalidPayloadException(path + " is missing or blank");
        }
        return value;
    }

    private static String optionalText(JsonNode node, String field, String path) throws InvalidPayloadException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidPayloadException(path + " is neither a string nor null");
        }
        return value.textValue().isBlank() ? null : value.textValue().trim();
    }

    /** A non-blank string member, else {@code null}; entity properties of other types carry nothing usable. */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.textValue().isBlank() ? value.textValue().trim() : null;
    }

    private static Iterable<JsonNode> array(JsonNode node, String field, String path) throws InvalidPayloadException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidPayloadException(path + " is neither an array nor null");
        }
        return value;
    }

    private static Optional<Instant> time(JsonNode node, String field, String path) throws InvalidPayloadException {
        String value = optionalText(node, field, path);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeException e) {
            throw new InvalidPayloadException(path + " has " + quote(value) + ", which is not an ISO-8601 time");
        }
    }

    static String quote(String value) {
        return "'" + (value.length() <= QUOTED_VALUE_LIMIT ? value : value.substring(0, QUOTED_VALUE_LIMIT) + "...") + "'";
    }
}
