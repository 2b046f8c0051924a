package io.irhub.connector.generic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Secret;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads one signal object, or an array of them, in the format of {@code irhub-signal.schema.json}. */
final class GenericSource implements Source {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> FIELDS = Set.of("id", "detection", "severity", "detected_at", "link", "identities");
    private static final Set<String> IDENTITY_FIELDS = Set.of("kind", "login", "email", "external_id");

    private final String instance;
    private final byte[] tokenDigest;
    private final int maxBodyBytes;
    private final Clock clock;

    GenericSource(String instance, Secret token, int maxBodyBytes, Clock clock) {
        this.instance = instance;
        this.tokenDigest = sha256(token.reveal());
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    @Override
    public boolean authenticate(InboundRequest request) {
        String header = request.header("Authorization").orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()));
    }

    @Override
    public List<Signal> normalize(InboundRequest request) throws InvalidPayloadException {
        String text = request.bodyAsString();
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("body is not valid JSON" + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            throw new InvalidPayloadException("body must be a signal object or an array of them (see irhub-signal.schema.json)");
        }
        List<Signal> signals = new ArrayList<>();
        if (root.isObject()) {
            signals.add(signal(root, text, ""));
        } else {
            if (root.isEmpty() || root.size() > 1000) {
                throw new InvalidPayloadException("an array must hold 1 to 1000 signals");
            }
            for (int i = 0; i < root.size(); i++) {
                signals.add(signal(root.get(i), root.get(i).toString(), "[" + i + "]"));
            }
        }
        return signals;
    }

    private Signal signal(JsonNode node, String raw, String at) throws InvalidPayloadException {
        if (!node.isObject()) {
            throw new InvalidPayloadException(at + " is not an object");
        }
        unknownFields(node, FIELDS, at);
        String id = text(node, "id", at, true);
        String detection = text(node, "detection", at, true);
        Severity severity;
        try {
            severity = Severity.parse(text(node, "severity", at, true));
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException(at + "severity: " + e.getMessage());
        }
        Instant detectedAt = clock.instant();
        String when = text(node, "detected_at", at, false);
        if (when != null) {
            try {
                detectedAt = OffsetDateTime.parse(when).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidPayloadException(at + "detected_at is not an ISO-8601 time with an offset");
            }
        }
        String link = text(node, "link", at, false);
        if (link != null && !(link.startsWith("https://") || link.startsWith("http://"))) {
            throw new InvalidPayloadException(at + "link must be an http(s) URL");
        }
        if (link != null) {
            try {
                URI.create(link);
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException(at + "link is not a URL");
            }
        }
        JsonNode ids = node.get("identities");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > 100) {
            throw new InvalidPayloadException(at + "identities must be an array of 1 to 100 identities");
        }
        List<Identity> identities = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String iat = at + "identities[" + i + "].";
            JsonNode idNode = ids.get(i);
            if (!idNode.isObject()) {
                throw new InvalidPayloadException(iat.substring(0, iat.length() - 1) + " is not an object");
            }
            unknownFields(idNode, IDENTITY_FIELDS, iat);
            try {
                identities.add(new Identity(IdentityKind.fromWire(text(idNode, "kind", iat, true)),
                        text(idNode, "login", iat, false), text(idNode, "email", iat, false),
                        text(idNode, "external_id", iat, false)));
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException(iat + " " + e.getMessage());
            }
        }
        return new Signal(instance, "generic", id, detection, severity, detectedAt, identities, link, raw);
    }

    private static void unknownFields(JsonNode node, Set<String> known, String at) throws InvalidPayloadException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new InvalidPayloadException(at + f + " is not a field of an irhub signal (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String at, boolean required) throws InvalidPayloadException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidPayloadException(at + field + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new InvalidPayloadException(at + field + " must be a non-empty string");
        }
        return v.textValue();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
