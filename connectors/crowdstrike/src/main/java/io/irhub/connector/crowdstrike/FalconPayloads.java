package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads CrowdStrike Falcon's detection payloads into signals:
 * <ul>
 *   <li>an alert of the Alerts API v2 ({@code POST /alerts/entities/alerts/v2}), alone or as that call's
 *       {@code {"resources": [alert, …]}} — the shape a Falcon Fusion workflow posts;</li>
 *   <li>an Event Streams event {@code {metadata: {eventType, eventCreationTime, …}, event: {…}}} of type
 *       {@code EppDetectionSummaryEvent}, or the legacy {@code DetectionSummaryEvent}.</li>
 * </ul>
 * The dedupe key is the alert's composite id ({@code composite_id}, {@code CompositeId}; the legacy event's
 * {@code DetectId}), so one detection pushed by a workflow and pulled by the poller is one signal.
 */
public final class FalconPayloads {
    static final ObjectMapper JSON = JsonMapper.builder()
            // parser messages would otherwise quote the body
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // two "composite_id" members would leave it to the parser which one counts
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static final String EPP_EVENT = "EppDetectionSummaryEvent";
    static final String LEGACY_EVENT = "DetectionSummaryEvent";

    private static final Pattern SID = Pattern.compile("S-1(-\\d+)+", Pattern.CASE_INSENSITIVE);
    private static final int QUOTED_VALUE_LIMIT = 64;
    private static final int QUOTED_ID_LIMIT = 160;

    /** The severity scales Falcon uses: 1..100 in alerts and EPP events, 1..5 in the legacy event. */
    enum Scale { HUNDRED, FIVE }

    /**
     * A Windows-style account name split at its {@code DOMAIN\} prefix.
     *
     * @param domain the NetBIOS domain, or {@code null}
     * @param name   the account name, or {@code null} when there is none
     */
    record UserName(String domain, String name) {
        static UserName parse(String value) {
            if (value == null || value.isBlank()) {
                return new UserName(null, null);
            }
            String v = value.trim();
            int slash = v.lastIndexOf('\\');
            if (slash < 0) {
                return new UserName(null, v);
            }
            String domain = v.substring(0, slash).trim();
            String name = v.substring(slash + 1).trim();
            return new UserName(domain.isEmpty() ? null : domain, name.isEmpty() ? null : name);
        }
    }

    private FalconPayloads() {
    }

    /**
     * Reads one Event Streams event (as Falcon's streaming API or a Kafka topic fed from it delivers it).
     *
     * @param instance the source instance the signal is attributed to
     * @param json     one event, kept as the signal's raw payload
     * @throws InvalidPayloadException naming what is wrong, also when the event is not a detection summary
     *                                 (its message then names the {@code eventType}); it never quotes more of the
     *                                 event than a short severity or time value
     */
    public static Signal fromEventStream(String instance, String json) throws InvalidPayloadException {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(json, "json");
        JsonNode root = parse(json);
        if (!root.isObject()) {
            throw new InvalidPayloadException("event is not a JSON object (expected Event Streams' {metadata, event})");
        }
        return eventSignal(instance, root, json);
    }

    /**
     * Reads a webhook delivery: an alert, {@code {"resources": [alerts]}}, or an Event Streams event.
     *
     * @param receivedAt the detection time of an alert without {@code created_timestamp} and {@code timestamp}
     */
    static List<Signal> fromDelivery(String instance, byte[] body, Instant receivedAt) throws InvalidPayloadException {
        String text = utf8(body);
        JsonNode root = parse(text);
        if (!root.isObject()) {
            throw new InvalidPayloadException("body is not a JSON object (expected a Falcon alert, "
                    + "{\"resources\": [alert, …]} or an Event Streams event {metadata, event})");
        }
        if (root.has("metadata") || root.has("event")) {
            return List.of(eventSignal(instance, root, text));
        }
        JsonNode resources = root.get("resources");
        if (resources == null) {
            return List.of(alertSignal(instance, root, "", text, receivedAt));
        }
        if (!resources.isArray() || resources.isEmpty()) {
            throw new InvalidPayloadException("resources is not a non-empty array of alerts");
        }
        List<Signal> signals = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String at = "resources[" + i + "].";
            if (!resources.get(i).isObject()) {
                throw new InvalidPayloadException(at.substring(0, at.length() - 1) + " is not an alert object");
            }
            signals.add(alertSignal(instance, resources.get(i), at, text, receivedAt));
        }
        return signals;
    }

    /** Reads one alert of an Alerts API answer; {@code json} is that alert alone and becomes the raw payload. */
    static Signal fromAlert(String instance, String json, Instant receivedAt) throws InvalidPayloadException {
        JsonNode alert = parse(json);
        if (!alert.isObject()) {
            throw new InvalidPayloadException("alert is not a JSON object");
        }
        return alertSignal(instance, alert, "", json, receivedAt);
    }

    /**
     * The members of an Alerts API answer's {@code resources} array, each exactly as the answer spelled it, so a
     * polled signal keeps the vendor's own text as evidence.
     */
    static List<String> rawResources(String json) throws InvalidPayloadException {
        List<String> found = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidPayloadException("the answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean resources = "resources".equals(p.currentName());
                JsonToken value = p.nextToken();
                if (resources && value == JsonToken.START_ARRAY) {
                    found = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw new InvalidPayloadException("its resources hold something other than alert objects");
                        }
                        int start = (int) p.currentTokenLocation().getCharOffset();
                        p.skipChildren();
                        found.add(json.substring(start, (int) p.currentLocation().getCharOffset()));
                    }
                } else if (resources && value == JsonToken.VALUE_NULL) {
                    found = List.of();
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("the answer is not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        if (found == null) {
            throw new InvalidPayloadException("the answer has no resources array");
        }
        return found;
    }

    /**
     * Falcon's 1..100 alert severity as a level, on the scale CrowdStrike documents for FQL filters on
     * {@code severity} (CrowdStrike/falcon-mcp, {@code falcon_mcp/resources/detections.py}): 90 and above
     * critical, 70 high, 50 medium, 20 low, below that informational.
     */
    static Severity fromScore(int score) {
        if (score >= 90) {
            return Severity.CRITICAL;
        }
        if (score >= 70) {
            return Severity.HIGH;
        }
        if (score >= 50) {
            return Severity.MEDIUM;
        }
        if (score >= 20) {
            return Severity.LOW;
        }
        return Severity.INFORMATIONAL;
    }

    // --- alerts -----------------------------------------------------------------------------------------------

    private static Signal alertSignal(String instance, JsonNode alert, String at, String raw, Instant receivedAt)
            throws InvalidPayloadException {
        String compositeId = requiredText(alert, at, "composite_id");
        Identity identity = alertIdentity(alert, at, compositeId);
        Severity severity = severity(alert, at, "severity_name", "severity", Scale.HUNDRED);
        Instant created = isoTime(alert, at, "created_timestamp");
        Instant occurred = created != null ? created : isoTime(alert, at, "timestamp");
        String detection = firstText(alert, at, "display_name", "name");
        if (detection == null) {
            detection = tacticAndTechnique(alert, at, "tactic", "technique");
        }
        return new Signal(instance, CrowdStrikeConnector.ID, compositeId, detection, severity,
                occurred != null ? occurred : receivedAt, List.of(identity),
                optionalText(alert, at, "falcon_host_link"), raw);
    }

    /**
     * The alert's user: the UPN ({@code user_principal}) is the login when there is one, else {@code user_name}
     * without a {@code DOMAIN\} prefix; a SID ({@code user_id}) is the external id. Identity Protection alerts
     * name their account in {@code source_account_upn} and {@code source_account_object_sid}, read when the
     * {@code user_*} fields are empty.
     */
    private static Identity alertIdentity(JsonNode alert, String at, String compositeId)
            throws InvalidPayloadException {
        String upn = firstText(alert, at, "user_principal", "source_account_upn");
        String sid = sid(optionalText(alert, at, "user_id"));
        if (sid == null) {
            sid = sid(optionalText(alert, at, "source_account_object_sid"));
        }
        UserName user = UserName.parse(optionalText(alert, at, "user_name"));
        return identity(upn, user, sid, () -> "alert " + quote(compositeId, QUOTED_ID_LIMIT)
                + " names no user (" + at + "user_name, " + at + "user_principal and " + at
                + "user_id are empty)");
    }

    // --- Event Streams ----------------------------------------------------------------------------------------

    private static Signal eventSignal(String instance, JsonNode root, String raw) throws InvalidPayloadException {
        JsonNode metadata = root.get("metadata");
        JsonNode event = root.get("event");
        if (metadata == null || !metadata.isObject() || event == null || !event.isObject()) {
            throw new InvalidPayloadException("metadata or event is missing or not an object (expected Event Streams' "
                    + "{metadata, event})");
        }
        String eventType = requiredText(metadata, "metadata.", "eventType");
        boolean epp;
        if (eventType.equalsIgnoreCase(EPP_EVENT)) {
            epp = true;
        } else if (eventType.equalsIgnoreCase(LEGACY_EVENT)) {
            epp = false;
        } else {
            throw new InvalidPayloadException("metadata.eventType " + quote(eventType, QUOTED_VALUE_LIMIT)
                    + " is not a detection (expected " + EPP_EVENT + " or " + LEGACY_EVENT + ")");
        }
        Instant created = epochMillis(metadata, "metadata.", "eventCreationTime");
        String id = requiredText(event, "event.", epp ? "CompositeId" : "DetectId");
        UserName user = UserName.parse(optionalText(event, "event.", "UserName"));
        String sid = sid(optionalText(event, "event.", "UserSid"));
        Identity identity = identity(null, user, sid, () -> "event " + quote(id, QUOTED_ID_LIMIT)
                + " names no user (event.UserName is empty)");
        String detection = optionalText(event, "event.", epp ? "Name" : "DetectName");
        if (detection == null) {
            detection = tacticAndTechnique(event, "event.", "Tactic", "Technique");
        }
        Severity severity = severity(event, "event.", "SeverityName", "Severity", epp ? Scale.HUNDRED : Scale.FIVE);
        return new Signal(instance, CrowdStrikeConnector.ID, id, detection, severity, created, List.of(identity),
                optionalText(event, "event.", "FalconHostLink"), raw);
    }

    // --- shared readers ---------------------------------------------------------------------------------------

    private static Identity identity(String upn, UserName user, String sid, Supplier<String> noUser)
            throws InvalidPayloadException {
        String login = upn != null ? upn : user.name();
        if (login == null && sid == null) {
            throw new InvalidPayloadException(noUser.get());
        }
        // a Windows computer account (HOST$) acts for a machine, not a person
        boolean machine = user.name() != null && user.name().endsWith("$");
        return new Identity(machine ? IdentityKind.SERVICE_ACCOUNT : IdentityKind.USER, login, null, sid);
    }

    /** A SID, or {@code null}: other user ids (a Unix uid) name no account a target could act on. */
    private static String sid(String value) {
        return value != null && SID.matcher(value).matches() ? value.toUpperCase(Locale.ROOT) : null;
    }

    private static Severity severity(JsonNode node, String at, String nameField, String scoreField, Scale scale)
            throws InvalidPayloadException {
        String name = optionalText(node, at, nameField);
        if (name != null) {
            try {
                return Severity.parse(name);
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException(at + nameField + " has " + quote(name, QUOTED_VALUE_LIMIT)
                        + ", which is not a severity (expected Critical, High, Medium, Low or Informational)");
            }
        }
        JsonNode score = node.get(scoreField);
        if (score == null || score.isNull()) {
            throw new InvalidPayloadException(at + nameField + " and " + at + scoreField + " are both missing");
        }
        String range = scale == Scale.HUNDRED ? "1..100" : "1..5";
        int value;
        if (score.isIntegralNumber() && score.canConvertToInt()) {
            value = score.intValue();
        } else if (score.isTextual() && score.textValue().trim().matches("\\d{1,3}")) {
            value = Integer.parseInt(score.textValue().trim());
        } else {
            throw new InvalidPayloadException(at + scoreField + " is not a whole number " + range);
        }
        if (scale == Scale.HUNDRED && value >= 0 && value <= 100) {
            return fromScore(value);
        }
        if (scale == Scale.FIVE && value >= 1 && value <= 5) {
            return Severity.parse(Integer.toString(value));
        }
        throw new InvalidPayloadException(at + scoreField + " is " + value + ", outside " + range);
    }

    private static String tacticAndTechnique(JsonNode node, String at, String tacticField, String techniqueField)
            throws InvalidPayloadException {
        String tactic = optionalText(node, at, tacticField);
        String technique = optionalText(node, at, techniqueField);
        if (tactic == null || technique == null) {
            return tactic != null ? tactic : technique;
        }
        return tactic + " / " + technique;
    }

    private static Instant isoTime(JsonNode node, String at, String field) throws InvalidPayloadException {
        String text = optionalText(node, at, field);
        if (text == null) {
            return null;
        }
        try {
            return text.endsWith("Z") || text.endsWith("z") ? Instant.parse(text) : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw new InvalidPayloadException(at + field + " has " + quote(text, QUOTED_VALUE_LIMIT)
                    + ", which is not an ISO-8601 time with an offset");
        }
    }

    private static Instant epochMillis(JsonNode node, String at, String field) throws InvalidPayloadException {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidPayloadException(at + field + " is missing or not epoch milliseconds");
        }
        return Instant.ofEpochMilli(value.longValue());
    }

    private static String requiredText(JsonNode node, String at, String field) throws InvalidPayloadException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new InvalidPayloadException(at + field + " is missing, blank or not a string");
        }
        return value.textValue().trim();
    }

    private static String firstText(JsonNode node, String at, String... fields) throws InvalidPayloadException {
        for (String field : fields) {
            String value = optionalText(node, at, field);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String optionalText(JsonNode node, String at, String field) throws InvalidPayloadException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidPayloadException(at + field + " is neither a string nor null");
        }
        return value.textValue().isBlank() ? null : value.textValue().trim();
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
            throw new InvalidPayloadException("body is not valid JSON" + at(e.getLocation()));
        }
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String quote(String value, int limit) {
        return "'" + (value.length() <= limit ? value : value.substring(0, limit) + "...") + "'";
    }
}
