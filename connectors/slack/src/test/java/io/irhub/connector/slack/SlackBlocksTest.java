package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalRequest.ProposedAction;
import io.irhub.connector.api.ApprovalStatus;
import io.irhub.connector.api.ApprovalStatus.Decision;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The messages' content, and what hostile text from a detection can and cannot do in them. */
class SlackBlocksTest {
    private static final Instant AT = Instant.parse("2026-11-20T09:01:02Z");

    private static List<JsonNode> blocks(ObjectNode message) {
        return StreamSupport.stream(message.get("blocks").spliterator(), false).toList();
    }

    private static List<JsonNode> ofType(ObjectNode message, String type) {
        return blocks(message).stream().filter(b -> b.path("type").asText().equals(type)).toList();
    }

    private static String allText(ObjectNode message) {
        return String.join("\n", SlackStubs.texts(message));
    }

    @Test
    void escapingIsSlacksThreeEntities() {
        assertThat(SlackBlocks.escape("a & b <c> \"d\" 'e'")).isEqualTo("a &amp; b &lt;c&gt; \"d\" 'e'");
        assertThat(SlackBlocks.escape("&amp;")).isEqualTo("&amp;amp;");
        assertThat(SlackBlocks.escape(null)).isEmpty();
    }

    @Test
    void mentionsAndLinksInUntrustedTextBecomeInert() {
        assertThat(SlackBlocks.inline(SlackStubs.HOSTILE))
                .isEqualTo("&lt;!channel&gt; &lt;https://evil.example|Okta login&gt;");
        assertThat(SlackBlocks.inline("<@U0ADMIN> <!here> <!subteam^S123> <#C0SECRET>"))
                .doesNotContain("<", ">");
    }

    @Test
    void untrustedTextCannotStartLinesOfItsOwnOrReorderWhatIsShown() {
        assertThat(SlackBlocks.inline("Okta login\n:white_check_mark: *Approved* by security-lead\r\u2028x"))
                .doesNotContain("\n", "\r", "\u2028");
        assertThat(SlackBlocks.inline("user\u202Egnp.exe")).isEqualTo("usergnp.exe");
    }

    @Test
    void theRequestShowsDetailsActionsAndTwoButtonsCarryingThePlanId() {
        ObjectNode message = SlackBlocks.request(SlackStubs.request());

        JsonNode header = ofType(message, "header").get(0);
        assertThat(header.at("/text/type").asText()).isEqualTo("plain_text");
        assertThat(header.at("/text/text").asText()).isEqualTo("Approval needed: Okta impossible travel");
        String text = allText(message);
        assertThat(text).contains("*Detection:* Okta impossible travel", "*Severity:* high",
                "*Source:* splunk-prod", "*Policy:* contain-impossible-travel", "mode is approve",
                "*suspend* on okta-main: user alice@example.com", "needs 2 approvals", SlackStubs.PLAN.toString(),
                "<!date^1795169730^{date_short_pretty} {time}|2026-11-20T10:15:30Z>");
        assertThat(message.get("text").asText())
                .isEqualTo("Approval needed: Okta impossible travel (high, 2 actions, needs 2 approvals)");

        JsonNode actions = ofType(message, "actions").get(0);
        assertThat(actions.get("block_id").asText()).isEqualTo("irhub_decision");
        assertThat(actions.get("elements")).hasSize(2);
        JsonNode approve = actions.at("/elements/0");
        JsonNode deny = actions.at("/elements/1");
        assertThat(approve.get("action_id").asText()).isEqualTo("irhub_approve");
        assertThat(approve.get("style").asText()).isEqualTo("primary");
        assertThat(approve.get("value").asText()).isEqualTo(SlackStubs.PLAN.toString());
        assertThat(deny.get("action_id").asText()).isEqualTo("irhub_deny");
        assertThat(deny.get("style").asText()).isEqualTo("danger");
        assertThat(deny.get("value").asText()).isEqualTo(SlackStubs.PLAN.toString());
    }

    @Test
    void irreversibleActionsAreMarkedAndApprovingThemAsksOnceMore() {
        ObjectNode message = SlackBlocks.request(SlackStubs.request());

        String actionsSection = blocks(message).stream().map(b -> b.at("/text/text").asText())
                .filter(t -> t.startsWith("*Proposed actions:*")).findFirst().orElseThrow();
        assertThat(actionsSection.lines().filter(l -> l.contains(":warning: *irreversible*")).toList())
                .singleElement().asString().contains("*deactivate*");
        assertThat(actionsSection).contains("*suspend* on okta-main: user alice@example.com\n");
        JsonNode approve = ofType(message, "actions").get(0).at("/elements/0");
        assertThat(approve.at("/confirm/title/text").asText()).isEqualTo("Approve irreversible actions?");
        assertThat(ofType(message, "actions").get(0).at("/elements/1").has("confirm")).isFalse();
    }

    @Test
    void aHostileDetectionShowsNoLiveMentionOrLinkAnywhere() {
        ObjectNode message = SlackBlocks.request(SlackStubs.request(SlackStubs.HOSTILE, null));

        String text = allText(message);
        assertThat(text).doesNotContain("<!channel>", "<https://evil.example", "<@U999>")
                .contains("&lt;!channel&gt; &lt;https://evil.example|Okta login&gt;", "&lt;@U999&gt; bob@example.com");
        assertThat(message.get("text").asText()).startsWith("Approval needed: &lt;!channel&gt;");
        // no auto-linking or mention parsing in any mrkdwn text either
        List<JsonNode> mrkdwn = blocks(message).stream()
                .flatMap(b -> b.has("text") ? Stream.of(b.get("text"))
                        : StreamSupport.stream(b.path("elements").spliterator(), false))
                .filter(t -> t.path("type").asText().equals("mrkdwn")).toList();
        assertThat(mrkdwn).isNotEmpty().allSatisfy(t -> assertThat(t.get("verbatim").asBoolean()).isTrue());
    }

    @Test
    void theSourceLinkIsEscapedAndLabelledWithItsRealHost() {
        ObjectNode message = SlackBlocks.request(SlackStubs.request());

        assertThat(allText(message)).contains("*Source:* splunk-prod · "
                + "<https://splunk.example.com/app/search/@go?sid=scheduler_abc&amp;x=1|open in splunk-prod "
                + "(splunk.example.com)>");
    }

    @Test
    void aLinkCannotBringItsOwnLabelOrEndEarly() {
        assertThat(SlackBlocks.link("https://evil.example/x|Okta login", "open in splunk-prod")).hasValue(
                "<https://evil.example/x%7COkta%20login|open in splunk-prod (evil.example)>");
        assertThat(SlackBlocks.link("https://evil.example/><!channel>", "open")).hasValue(
                "<https://evil.example/%3E%3C!channel%3E|open (evil.example)>");
    }

    @Test
    void onlyPlainHttpLinksAreShown() {
        assertThat(SlackBlocks.link("javascript:alert(1)", "open")).isEmpty();
        assertThat(SlackBlocks.link("slack://channel?id=C1", "open")).isEmpty();
        assertThat(SlackBlocks.link("https://okta.com@evil.example/login", "open")).isEmpty();
        assertThat(SlackBlocks.link("https://оkta.com/", "open")).as("a Cyrillic о in the host").isEmpty();
        assertThat(SlackBlocks.link("/relative/path", "open")).isEmpty();
        assertThat(SlackBlocks.link("http://splunk.internal:8000/app", "open"))
                .hasValue("<http://splunk.internal:8000/app|open (splunk.internal)>");

        ObjectNode message = SlackBlocks.request(SlackStubs.request("x", "javascript:alert(1)"));
        assertThat(allText(message)).contains("_link left out: not an http(s) URL_").doesNotContain("javascript");
    }

    @Test
    void aLongDetectionIsShortenedWithinSlacksLimitsWithoutCuttingAnEntity() {
        String detection = "x".repeat(120) + "<<<<<<<<<<" + "y".repeat(4000);
        ObjectNode message = SlackBlocks.request(SlackStubs.request(detection, null));

        String header = ofType(message, "header").get(0).at("/text/text").asText();
        assertThat(header).hasSizeLessThanOrEqualTo(SlackBlocks.HEADER_MAX).endsWith("…");
        assertThat(header.replace("&lt;", "")).doesNotContain("&");
        assertThat(SlackStubs.texts(message)).allSatisfy(t -> assertThat(t).hasSizeLessThanOrEqualTo(3000));
    }

    @Test
    void anApprovedRequestHasNoButtonsAndSaysWhoApprovedWhen() {
        ApprovalStatus approved = new ApprovalStatus("approved", List.of(
                new Decision("U0A1B2C3D4E", "dana.scully", true, AT),
                new Decision("U0B2C3D4E5F", "<!channel>", true, AT.plusSeconds(60))),
                List.of("suspend user:alice@example.com on okta-main: succeeded"));

        ObjectNode message = SlackBlocks.status(SlackStubs.request(), approved);

        assertThat(ofType(message, "actions")).isEmpty();
        assertThat(ofType(message, "header").get(0).at("/text/text").asText()).startsWith("Approved: ");
        String text = allText(message);
        assertThat(text).contains(":white_check_mark: *Approved*",
                "approved by dana.scully (U0A1B2C3D4E) at <!date^1795165262^{date_short_pretty} {time}|2026-11-20T09:01:02Z>",
                "approved by &lt;!channel&gt; (U0B2C3D4E5F)",
                "*Outcome:*", "suspend user:alice@example.com on okta-main: succeeded");
        assertThat(text).doesNotContain("<!channel>");
        assertThat(message.get("text").asText())
                .isEqualTo("Approved: Okta impossible travel — approved by dana.scully, &lt;!channel&gt;");
    }

    @Test
    void deniedAndExpiredRequestsHaveNoButtons() {
        ObjectNode denied = SlackBlocks.status(SlackStubs.request(), new ApprovalStatus("denied",
                List.of(new Decision("U0A1B2C3D4E", "dana.scully", false, AT)), List.of()));
        ObjectNode expired = SlackBlocks.status(SlackStubs.request(), new ApprovalStatus("expired", List.of(),
                List.of()));

        assertThat(ofType(denied, "actions")).isEmpty();
        assertThat(allText(denied)).contains(":no_entry_sign: *Denied*", "denied by dana.scully (U0A1B2C3D4E)");
        assertThat(ofType(expired, "actions")).isEmpty();
        assertThat(allText(expired)).contains("*Expired*: no decision before the deadline");
    }

    @Test
    void oneOfTwoApprovalsKeepsTheButtonsUnderANewBlockId() {
        ObjectNode half = SlackBlocks.status(SlackStubs.request(), new ApprovalStatus("awaiting-approval",
                List.of(new Decision("U0A1B2C3D4E", "dana.scully", true, AT)), List.of()));

        List<JsonNode> actions = ofType(half, "actions");
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).get("block_id").asText()).isEqualTo("irhub_decision_1");
        assertThat(actions.get(0).at("/elements/0/value").asText()).isEqualTo(SlackStubs.PLAN.toString());
        assertThat(allText(half)).contains("*1 of 2 approvals given*", "approved by dana.scully");
    }

    @Test
    void manyActionsAreCountedRatherThanOverflowingTheSection() {
        ApprovalRequest base = SlackStubs.request();
        List<ProposedAction> many = IntStream.range(0, 200)
                .mapToObj(i -> new ProposedAction(Verb.SUSPEND, "okta-main",
                        Identity.user("user" + i + "@example.com")))
                .toList();
        ApprovalRequest large = new ApprovalRequest(base.planId(), base.correlationId(), base.sourceInstance(),
                base.detection(), base.severity(), base.link(), base.policy(), many, base.reasons(), base.deadline(),
                1);

        String actions = blocks(SlackBlocks.request(large)).stream().map(b -> b.at("/text/text").asText())
                .filter(t -> t.startsWith("*Proposed actions:*")).findFirst().orElseThrow();
        assertThat(actions).hasSizeLessThanOrEqualTo(3000).containsPattern("… and \\d+ more$")
                .contains("user0@example.com");
    }
}
