package io.irhub.connector.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.app_backend.SlackSignature;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Interaction;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.MessageRef;
import io.irhub.connector.api.Secret;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Slack's interaction callbacks ({@code POST /slack/interactions}): authenticates them and reads an Approve or Deny
 * click.
 *
 * <p>Slack signs each callback: {@code X-Slack-Signature} is {@code v0=} and the hex HMAC-SHA256, keyed with the app's
 * signing secret, of {@code v0:{X-Slack-Request-Timestamp}:{raw body}}. The signature is computed by slack-app-backend's
 * {@link SlackSignature.Generator} and compared in constant time ({@link MessageDigest#isEqual}); its
 * {@code Verifier} is not used because it compares with {@code String.equals}, accepts any timestamp in the future,
 * and logs the body (which holds the response URL) at debug level. The timestamp must be within
 * {@code max-clock-skew} of the hub's clock either way, which bounds replays of a captured callback.
 *
 * <p>The body is {@code application/x-www-form-urlencoded}, so it is ASCII (everything else is percent-encoded); the
 * generator turns its text into bytes with the platform charset, which for ASCII gives back exactly the raw bytes.
 */
final class SlackInteractions {
    static final String TIMESTAMP_HEADER = SlackSignature.HeaderNames.X_SLACK_REQUEST_TIMESTAMP;
    static final String SIGNATURE_HEADER = SlackSignature.HeaderNames.X_SLACK_SIGNATURE;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    // U… for users of a workspace, W… for users of an Enterprise Grid org
    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{2,}");
    private static final Pattern MESSAGE_TS = Pattern.compile("\\d{1,12}\\.\\d{1,9}");
    private static final int QUOTE_MAX = 64;

    private final SlackSignature.Generator signer;
    private final Duration maxClockSkew;
    private final Clock clock;
    private final String channel;

    /**
     * @param channel the configured channel id; clicks on messages elsewhere are refused
     */
    SlackInteractions(Secret signingSecret, Duration maxClockSkew, Clock clock, String channel) {
        this.signer = new SlackSignature.Generator(signingSecret.reveal());
        this.maxClockSkew = maxClockSkew;
        this.clock = clock;
        this.channel = channel;
    }

    /**
     * Authenticates the callback, then reads the click.
     *
     * @throws InvalidPayloadException saying what is wrong (never quoting the signature, the secret or the response URL)
     */
    Interaction read(InboundRequest request) throws InvalidPayloadException {
        verify(request);
        return parse(payload(request.body()));
    }

    /** Checks the signature headers against the raw body and the hub's clock. */
    void verify(InboundRequest request) throws InvalidPayloadException {
        String timestamp = request.header(TIMESTAMP_HEADER).map(String::trim)
                .orElseThrow(() -> new InvalidPayloadException("missing " + TIMESTAMP_HEADER + " header: not a "
                        + "signed Slack request"));
        String signature = request.header(SIGNATURE_HEADER).map(String::trim)
                .orElseThrow(() -> new InvalidPayloadException("missing " + SIGNATURE_HEADER + " header: not a "
                        + "signed Slack request"));
        if (!TIMESTAMP.matcher(timestamp).matches()) {
            throw new InvalidPayloadException(TIMESTAMP_HEADER + " is not a Unix time in seconds");
        }
        Instant sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
        Duration skew = Duration.between(sent, clock.instant()).abs();
        if (skew.compareTo(maxClockSkew) > 0) {
            throw new InvalidPayloadException(TIMESTAMP_HEADER + " is " + skew.toSeconds() + " s away from the hub's "
                    + "clock, more than max-clock-skew (" + maxClockSkew.toSeconds() + " s) allows: a replayed "
                    + "request, or a clock that is wrong");
        }
        byte[] body = request.body();
        for (byte b : body) {
            if (b < 0) {
                throw new InvalidPayloadException("the body has non-ASCII bytes: not the form-encoded body Slack sends");
            }
        }
        String expected = signer.generate(timestamp, new String(body, StandardCharsets.US_ASCII));
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new InvalidPayloadException(SIGNATURE_HEADER + " does not match the body and timestamp: not sent "
                    + "by Slack, changed on the way, or signed with another app's signing secret");
        }
    }

    /** The {@code payload} field of the form-encoded body, decoded. */
    private static String payload(byte[] body) throws InvalidPayloadException {
        String payload = null;
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals("payload")) {
                continue;
            }
            if (payload != null) {
                throw new InvalidPayloadException("the body has more than one payload field");
            }
            try {
                payload = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException("the payload field is not URL-encoded");
            }
        }
        if (payload == null) {
            throw new InvalidPayloadException("the body has no payload field: not an interaction callback "
                    + "(a slash command or an event?)");
        }
        return payload;
    }

    /** Reads a {@code block_actions} payload carrying one click on irhub's Approve or Deny button. */
    Interaction parse(String payload) throws InvalidPayloadException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException("the payload is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException("the payload is not a JSON object");
        }
        String type = root.path("type").asText("");
        if (!type.equals("block_actions")) {
            throw new InvalidPayloadException("payload type " + quote(type) + " is not block_actions: only button "
                    + "clicks on approval messages are expected here");
        }
        JsonNode user = root.path("user");
        String userId = user.path("id").asText("");
        if (!USER_ID.matcher(userId).matches()) {
            throw new InvalidPayloadException("the payload's user.id " + quote(userId) + " is not a Slack user id");
        }
        String userName = firstText(user.path("username"), user.path("name"));
        String teamId = firstText(root.path("team").path("id"), user.path("team_id"));
        if (teamId == null) {
            throw new InvalidPayloadException("the payload has no team.id");
        }
        JsonNode container = root.path("container");
        String messageTs = firstText(container.path("message_ts"), root.path("message").path("ts"));
        if (messageTs == null || !MESSAGE_TS.matcher(messageTs).matches()) {
            throw new InvalidPayloadException("the payload has no container.message_ts: the click did not come from "
                    + "a message");
        }
        String channelId = firstText(container.path("channel_id"), root.path("channel").path("id"));
        if (!channel.equals(channelId)) {
            throw new InvalidPayloadException("the click came from channel " + quote(channelId) + ", not from the "
                    + "configured channel " + channel);
        }
        JsonNode actions = root.path("actions");
        if (!actions.isArray() || actions.size() != 1) {
            throw new InvalidPayloadException("the payload has " + (actions.isArray() ? actions.size() : 0)
                    + " actions; a button click has exactly one");
        }
        JsonNode action = actions.get(0);
        String actionType = action.path("type").asText("");
        if (!actionType.equals("button")) {
            throw new InvalidPayloadException("the action is a " + quote(actionType) + ", not a button");
        }
        String actionId = action.path("action_id").asText("");
        boolean approve;
        if (actionId.equals(SlackBlocks.APPROVE)) {
            approve = true;
        } else if (actionId.equals(SlackBlocks.DENY)) {
            approve = false;
        } else {
            throw new InvalidPayloadException("action_id " + quote(actionId) + " is neither "
                    + SlackBlocks.APPROVE + " nor " + SlackBlocks.DENY);
        }
        String value = action.path("value").asText("");
        if (!UUID_TEXT.matcher(value).matches()) {
            throw new InvalidPayloadException("the button's value " + quote(value) + " is not a plan id (a UUID)");
        }
        String responseUrl = firstText(root.path("response_url"));
        return new Interaction(UUID.fromString(value), approve, userId, userName == null ? userId : userName, teamId,
                new MessageRef(channelId, messageTs), responseUrl);
    }

    private static String firstText(JsonNode... candidates) {
        for (JsonNode candidate : candidates) {
            if (candidate.isTextual() && !candidate.asText().isBlank()) {
                return candidate.asText();
            }
        }
        return null;
    }

    /** A value from the payload for an error message: shortened, and stripped of anything unprintable. */
    private static String quote(String value) {
        if (value == null || value.isEmpty()) {
            return "(none)";
        }
        String printable = value.codePoints().filter(cp -> cp >= 0x20 && cp < 0x7f)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "'" + (printable.length() > QUOTE_MAX ? printable.substring(0, QUOTE_MAX) + "…" : printable) + "'";
    }
}
