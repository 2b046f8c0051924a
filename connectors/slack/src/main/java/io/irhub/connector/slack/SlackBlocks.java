package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalRequest.ProposedAction;
import io.irhub.connector.api.ApprovalStatus;
import io.irhub.connector.api.ApprovalStatus.Decision;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Block Kit messages of an approval request: the request with its Approve and Deny buttons, and its later
 * states.
 *
 * <p>Everything that comes from a detection (its name, identities, link, reasons, outcome lines, user names) is
 * untrusted. Slack parses mentions ({@code <!channel>}, {@code <@U…>}) and links ({@code <url|text>}) only in the
 * angle-bracket forms, so escaping {@code &}, {@code <} and {@code >} as Slack documents makes such text inert.
 * Every mrkdwn text object is also sent with {@code verbatim: true}, so Slack does not auto-link URLs or channel names
 * in it, and the message is posted without {@code link_names}/{@code parse}, so a bare {@code @channel} stays text.
 * Line breaks and bidirectional controls in untrusted text are neutralized so it cannot fake lines of its own
 * ("Approved by …") or reorder what is shown.
 */
final class SlackBlocks {
    static final String APPROVE = "irhub_approve";
    static final String DENY = "irhub_deny";
    static final String DECISION_BLOCK = "irhub_decision";
    static final String AWAITING = "awaiting-approval";

    // Slack's limits: header text 150 characters, section and context text 3000
    static final int HEADER_MAX = 150;
    static final int TEXT_MAX = 3000;
    private static final String ELLIPSIS = "…";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final DateTimeFormatter FALLBACK_TIME = DateTimeFormatter.ISO_INSTANT;

    private SlackBlocks() {
    }

    /** The {@code text} and {@code blocks} of a new request: details, proposed actions and the two buttons. */
    static ObjectNode request(ApprovalRequest request) {
        ObjectNode message = JSON.objectNode();
        message.put("text", truncate("Approval needed: " + inline(nameOf(request)) + " (" + severityOf(request) + ", "
                + count(request.actions().size(), "action") + ", needs "
                + count(approvalsNeeded(request), "approval") + ")", TEXT_MAX));
        ArrayNode blocks = message.putArray("blocks");
        blocks.add(header("Approval needed: ", request));
        addBody(blocks, request);
        blocks.add(buttons(request, DECISION_BLOCK));
        return message;
    }

    /**
     * The {@code text} and {@code blocks} showing the request's current state. The buttons stay only while the request
     * still awaits approval; once it is decided or expired nothing on the message can be clicked.
     */
    static ObjectNode status(ApprovalRequest request, ApprovalStatus status) {
        String title = switch (stateOf(status)) {
            case "approved" -> "Approved: ";
            case "denied" -> "Denied: ";
            case "expired" -> "Expired: ";
            default -> "Approval needed: ";
        };
        ObjectNode message = JSON.objectNode();
        message.put("text", truncate(title + inline(nameOf(request)) + " — " + stateSummary(request, status),
                TEXT_MAX));
        ArrayNode blocks = message.putArray("blocks");
        blocks.add(header(title, request));
        blocks.add(section(stateText(request, status)));
        addBody(blocks, request);
        if (!status.outcomes().isEmpty()) {
            blocks.add(section(bulleted("*Outcome:*", status.outcomes().stream().map(SlackBlocks::inline).toList())));
        }
        if (AWAITING.equals(stateOf(status))) {
            // a fresh block_id per update, as Slack asks of updated messages
            blocks.add(buttons(request, DECISION_BLOCK + "_" + status.decisions().size()));
        }
        return message;
    }

    // ---- escaping --------------------------------------------------------------------------------------------

    /** Slack's documented escaping: {@code &}, {@code <} and {@code >} become HTML entities, nothing else does. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Untrusted text for one line: control characters become spaces, bidirectional controls go, then {@link #escape}. */
    static String inline(String text) {
        return escape(neutralize(text));
    }

    private static String neutralize(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
                out.append(' ');
            } else if (!isBidiControl(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static boolean isBidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    /**
     * Untrusted text shortened so that its escaped form has at most {@code max} characters, never cutting an entity
     * or a surrogate pair.
     */
    static String truncate(String escapedOrPlain, int max) {
        if (escapedOrPlain.length() <= max) {
            return escapedOrPlain;
        }
        int end = max - ELLIPSIS.length();
        int amp = escapedOrPlain.lastIndexOf('&', end);
        if (amp >= 0 && escapedOrPlain.indexOf(';', amp) >= end) {
            end = amp;
        }
        if (end > 0 && Character.isHighSurrogate(escapedOrPlain.charAt(end - 1))) {
            end--;
        }
        return escapedOrPlain.substring(0, end) + ELLIPSIS;
    }

    /**
     * A link to an untrusted URL as {@code <url|label>}, or empty when it is not a plain http(s) URL. Characters a URL
     * may not hold ({@code |}, {@code <}, {@code >}, spaces, non-ASCII) are percent-encoded first so the URL cannot end
     * early or bring its own label; URLs with user info ({@code https://bank.example@evil.example}) and hosts that
     * are not plain ASCII names are refused. The label always ends with the real host, so what is shown is where the
     * link goes.
     */
    static Optional<String> link(String url, String label) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        String encoded = percentEncode(url.strip());
        URI uri;
        try {
            uri = new URI(encoded);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
                || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        return Optional.of("<" + escape(encoded) + "|" + inline(label + " (" + uri.getHost() + ")") + ">");
    }

    private static String percentEncode(String url) {
        StringBuilder out = new StringBuilder(url.length());
        for (byte b : url.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && isUriChar((char) c)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** RFC 3986 unreserved and reserved characters, and {@code %} of existing escapes. */
    private static boolean isUriChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~:/?#[]@!$&'()*+,;=%".indexOf(c) >= 0;
    }

    /** Slack shows {@code <!date^…>} in each reader's time zone; the fallback is for clients that cannot. */
    static String date(Instant at) {
        Instant seconds = at.truncatedTo(ChronoUnit.SECONDS);
        return "<!date^" + seconds.getEpochSecond() + "^{date_short_pretty} {time}|" + FALLBACK_TIME.format(seconds)
                + ">";
    }

    // ---- blocks ----------------------------------------------------------------------------------------------

    private static void addBody(ArrayNode blocks, ApprovalRequest request) {
        blocks.add(section(details(request)));
        if (!request.reasons().isEmpty()) {
            blocks.add(section(bulleted("*Why approval is needed:*",
                    request.reasons().stream().map(SlackBlocks::inline).toList())));
        }
        blocks.add(section(bulleted("*Proposed actions:*", request.actions().stream().map(SlackBlocks::action).toList())));
        blocks.add(context(footer(request)));
    }

    private static String details(ApprovalRequest request) {
        StringBuilder text = new StringBuilder()
                .append("*Detection:* ").append(inline(nameOf(request)))
                .append("\n*Severity:* ").append(severityOf(request))
                .append("\n*Source:* ").append(inline(request.sourceInstance()));
        if (request.link() != null && !request.link().isBlank()) {
            text.append(" · ").append(link(request.link(), "open in " + request.sourceInstance())
                    .orElse("_link left out: not an http(s) URL_"));
        }
        if (request.policy() != null) {
            text.append("\n*Policy:* ").append(inline(request.policy()));
        }
        return truncate(text.toString(), TEXT_MAX);
    }

    private static String action(ProposedAction action) {
        StringBuilder line = new StringBuilder("*").append(action.verb().wireName()).append("* on ")
                .append(inline(action.target())).append(": ").append(action.identity().kind().wireName()).append(' ')
                .append(inline(action.identity().name()));
        if (action.irreversible()) {
            line.append("  :warning: *irreversible*");
        }
        return line.toString();
    }

    private static String footer(ApprovalRequest request) {
        List<String> parts = new ArrayList<>();
        if (request.deadline() != null) {
            parts.add("Decide by " + date(request.deadline()));
        }
        parts.add("needs " + count(approvalsNeeded(request), "approval"));
        parts.add("plan " + request.planId());
        return String.join(" · ", parts);
    }

    private static String stateText(ApprovalRequest request, ApprovalStatus status) {
        String headline = switch (stateOf(status)) {
            case "approved" -> ":white_check_mark: *Approved*";
            case "denied" -> ":no_entry_sign: *Denied*";
            case "expired" -> ":hourglass: *Expired*: no decision before the deadline";
            case AWAITING -> ":hourglass_flowing_sand: *" + approvals(status) + " of " + approvalsNeeded(request)
                    + " approvals given*: waiting for another approver";
            default -> "*State:* " + inline(stateOf(status));
        };
        List<String> lines = status.decisions().stream().map(SlackBlocks::decision).toList();
        return bulleted(headline, lines);
    }

    private static String decision(Decision decision) {
        String who = decision.userName() == null || decision.userName().isBlank()
                ? inline(decision.userId()) : inline(decision.userName()) + " (" + inline(decision.userId()) + ")";
        return (decision.approved() ? "approved by " : "denied by ") + who
                + (decision.at() == null ? "" : " at " + date(decision.at()));
    }

    private static String stateSummary(ApprovalRequest request, ApprovalStatus status) {
        List<String> names = status.decisions().stream()
                .map(d -> inline(d.userName() == null || d.userName().isBlank() ? d.userId() : d.userName())).toList();
        String by = names.isEmpty() ? "" : " by " + String.join(", ", names);
        return switch (stateOf(status)) {
            case "approved" -> "approved" + by;
            case "denied" -> "denied" + by;
            case "expired" -> "expired undecided";
            case AWAITING -> approvals(status) + " of " + approvalsNeeded(request) + " approvals given" + by;
            default -> inline(stateOf(status));
        };
    }

    private static String stateOf(ApprovalStatus status) {
        return status.state() == null ? "" : status.state();
    }

    private static long approvals(ApprovalStatus status) {
        return status.decisions().stream().filter(Decision::approved).count();
    }

    /** A heading and one bullet per line, within Slack's text limit; lines that do not fit are counted instead. */
    private static String bulleted(String heading, List<String> lines) {
        StringBuilder text = new StringBuilder(heading);
        for (int i = 0; i < lines.size(); i++) {
            String line = "\n• " + lines.get(i);
            int left = lines.size() - i - 1;
            // room for this line and, should later ones not fit, the "and N more" line
            if (text.length() + line.length() + (left > 0 ? 24 : 0) > TEXT_MAX) {
                text.append("\n… and ").append(lines.size() - i).append(" more");
                break;
            }
            text.append(line);
        }
        return text.toString();
    }

    private static ObjectNode header(String prefix, ApprovalRequest request) {
        ObjectNode block = JSON.objectNode().put("type", "header");
        // plain_text parses no markup at all; the escaping keeps the one rule for all untrusted text
        block.putObject("text").put("type", "plain_text").put("text", truncate(prefix + inline(nameOf(request)),
                HEADER_MAX)).put("emoji", false);
        return block;
    }

    private static ObjectNode section(String mrkdwn) {
        ObjectNode block = JSON.objectNode().put("type", "section");
        block.set("text", mrkdwn(mrkdwn));
        return block;
    }

    private static ObjectNode context(String mrkdwn) {
        ObjectNode block = JSON.objectNode().put("type", "context");
        block.putArray("elements").add(mrkdwn(mrkdwn));
        return block;
    }

    private static ObjectNode mrkdwn(String text) {
        return JSON.objectNode().put("type", "mrkdwn").put("text", truncate(text, TEXT_MAX)).put("verbatim", true);
    }

    private static ObjectNode buttons(ApprovalRequest request, String blockId) {
        ObjectNode block = JSON.objectNode().put("type", "actions").put("block_id", blockId);
        ArrayNode elements = block.putArray("elements");
        ObjectNode approve = button("Approve", APPROVE, request, "primary");
        if (request.actions().stream().anyMatch(ProposedAction::irreversible)) {
            // one more click for what cannot be undone
            ObjectNode confirm = approve.putObject("confirm");
            confirm.putObject("title").put("type", "plain_text").put("text", "Approve irreversible actions?");
            confirm.putObject("text").put("type", "plain_text")
                    .put("text", "This plan includes actions that cannot be undone.");
            confirm.putObject("confirm").put("type", "plain_text").put("text", "Approve");
            confirm.putObject("deny").put("type", "plain_text").put("text", "Cancel");
            confirm.put("style", "danger");
        }
        elements.add(approve);
        elements.add(button("Deny", DENY, request, "danger"));
        return block;
    }

    private static ObjectNode button(String label, String actionId, ApprovalRequest request, String style) {
        ObjectNode button = JSON.objectNode().put("type", "button");
        button.putObject("text").put("type", "plain_text").put("text", label);
        return button.put("action_id", actionId).put("value", request.planId().toString()).put("style", style);
    }

    private static String nameOf(ApprovalRequest request) {
        return request.detection() == null || request.detection().isBlank() ? "(unnamed detection)"
                : request.detection();
    }

    private static String severityOf(ApprovalRequest request) {
        return request.severity() == null ? "unknown" : request.severity().wireName();
    }

    private static int approvalsNeeded(ApprovalRequest request) {
        return Math.max(1, request.approvalsNeeded());
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
