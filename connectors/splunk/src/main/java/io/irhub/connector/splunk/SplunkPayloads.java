package io.irhub.connector.splunk;

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

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the body of Splunk's webhook alert action: {@code {sid, search_name, app, owner, results_link, result}},
 * where {@code result} is the first row of the search's results (field name to string).
 */
final class SplunkPayloads {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // parser messages would otherwise quote the body, which may hold credentials from the result row
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // two "sid" or "result" members would leave it to the parser which one counts
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // keeps a numeric _time's fraction exact
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private static final Pattern EPOCH_SECONDS = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final int QUOTED_VALUE_LIMIT = 64;

    private final SplunkConfig config;

    SplunkPayloads(SplunkConfig config) {
        this.config = config;
    }

    /**
     * @param receivedAt the detection time when the result row has no time field
     * @throws InvalidPayloadException naming what is wrong; it quotes only a short severity or time value
     */
    Signal signal(String instance, byte[] body, Instant receivedAt) throws InvalidPayloadException {
        String text = utf8(body);
        JsonNode alert = parse(text);
        if (!alert.isObject()) {
            throw new InvalidPayloadException("body is not a JSON object (expected the webhook alert action's "
                    + "{sid, search_name, app, owner, results_link, result})");
        }
        JsonNode sid = alert.get("sid");
        if (sid == null || !sid.isTextual() || sid.textValue().isBlank()) {
            throw new InvalidPayloadException("sid is missing, blank or not a string");
        }
        String searchName = optionalText(alert, "search_name");
        String link = optionalText(alert, "results_link");
        JsonNode result = alert.get("result");
        if (result == null || !result.isObject()) {
            throw new InvalidPayloadException("result is missing or not an object (expected the first result row)");
        }
        // An alert that triggers "for each result" delivers every row with the same sid, so the row is part of the
        // key: the same delivery twice is one signal, two rows of one search are two. A sid never holds the unit
        // separator, so the key splits back into its parts unambiguously.
        String dedupeKey = sid.textValue() + "\u001f" + (searchName == null ? "" : searchName) + "\u001f"
                + rowDigest(result);
        return new Signal(instance, SplunkConnector.ID, dedupeKey, searchName, severity(result),
                detectedAt(result, receivedAt), identities(result), link, text);
    }

    private static String rowDigest(JsonNode result) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(result.toString().getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
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

    private static String optionalText(JsonNode alert, String field) throws InvalidPayloadException {
        JsonNode node = alert.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidPayloadException(field + " is neither a string nor null");
        }
        return node.textValue().isBlank() ? null : node.textValue();
    }

    private List<Identity> identities(JsonNode result) throws InvalidPayloadException {
        Map<String, Identity> byName = new LinkedHashMap<>();
        for (String entry : config.identityFields()) {
            // "field" takes the instance's identity-kind; "field:kind" names its own (token_accessor:api-token)
            int colon = entry.indexOf(':');
            String field = colon < 0 ? entry : entry.substring(0, colon).trim();
            IdentityKind kind = colon < 0 ? config.identityKind() : IdentityKind.fromWire(entry.substring(colon + 1));
            boolean credential = kind == IdentityKind.API_TOKEN || kind == IdentityKind.SECRET;
            for (String value : values(result.get(field))) {
                byName.putIfAbsent(kind.wireName() + ":" + value.toLowerCase(Locale.ROOT), new Identity(kind, value,
                        !credential && value.contains("@") ? value : null, credential ? value : null));
            }
        }
        if (byName.isEmpty()) {
            throw new InvalidPayloadException("no identity in result fields " + String.join(", ", config.identityFields()
                    .stream().map(f -> f.contains(":") ? f.substring(0, f.indexOf(':')) : f).toList())
                    + " (make the search return one of them, or set identity-fields)");
        }
        return List.copyOf(byName.values());
    }

    private Severity severity(JsonNode result) throws InvalidPayloadException {
        for (String field : config.severityFields()) {
            Optional<String> value = first(result.get(field));
            if (value.isPresent()) {
                try {
                    return Severity.parse(value.get());
                } catch (IllegalArgumentException e) {
                    throw new InvalidPayloadException("result field " + field + " has " + quote(value.get())
                            + ", which is not a severity (expected informational, low, medium, high, critical or 1..5)");
                }
            }
        }
        return config.defaultSeverity();
    }

    private Instant detectedAt(JsonNode result, Instant receivedAt) throws InvalidPayloadException {
        Optional<String> value = first(result.get(config.timeField()));
        if (value.isEmpty()) {
            return receivedAt;
        }
        try {
            return parseTime(value.get());
        } catch (DateTimeException | ArithmeticException e) {
            throw new InvalidPayloadException("result field " + config.timeField() + " has " + quote(value.get())
                    + ", which is neither epoch seconds nor an ISO-8601 time with an offset");
        }
    }

    /** Splunk's {@code _time} is epoch seconds with an optional fraction; an eval'd time may be ISO-8601. */
    private static Instant parseTime(String text) {
        if (EPOCH_SECONDS.matcher(text).matches()) {
            BigDecimal seconds = new BigDecimal(text);
            BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
            return Instant.ofEpochSecond(whole.longValueExact(), nanos);
        }
        return OffsetDateTime.parse(text).toInstant();
    }

    private static Optional<String> first(JsonNode node) {
        return values(node).stream().findFirst();
    }

    /**
     * The non-blank values of a result field. Splunk sends values as strings and a multivalue field as an array of
     * them; numbers are read as written, for hand-made deliveries. Objects and booleans carry no usable value.
     */
    private static List<String> values(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null) {
            for (JsonNode item : node.isArray() ? node : List.of(node)) {
                String text = item.isTextual() ? item.textValue()
                        : item.isNumber() ? item.decimalValue().toPlainString() : null;
                if (text != null && !text.isBlank()) {
                    values.add(text.trim());
                }
            }
        }
        return values;
    }

    private static String quote(String value) {
        return "'" + (value.length() <= QUOTED_VALUE_LIMIT ? value : value.substring(0, QUOTED_VALUE_LIMIT) + "...") + "'";
    }
}
