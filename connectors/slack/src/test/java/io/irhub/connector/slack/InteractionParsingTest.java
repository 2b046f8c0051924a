package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Interaction;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.MessageRef;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** block_actions callbacks shaped like Slack's documented payload, signed as Slack signs them. */
class InteractionParsingTest {
    private final ApprovalChannel channel = SlackStubs.open("http://127.0.0.1:9");

    private static ObjectNode approve() {
        return SlackStubs.fixtureJson("block_actions_approve.json");
    }

    private static ObjectNode changed(Consumer<ObjectNode> change) {
        ObjectNode payload = approve();
        change.accept(payload);
        return payload;
    }

    private static ObjectNode action(ObjectNode payload) {
        return (ObjectNode) payload.withArray("actions").get(0);
    }

    private void assertRejected(ObjectNode payload, String message) {
        assertThatThrownBy(() -> channel.interaction(SlackStubs.signed(payload)))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("hooks.slack.com");
    }

    @Test
    void anApproveClickIsRead() throws InvalidPayloadException {
        Interaction interaction = channel.interaction(SlackStubs.signed(approve()));

        assertThat(interaction.planId()).isEqualTo(SlackStubs.PLAN);
        assertThat(interaction.approve()).isTrue();
        assertThat(interaction.userId()).isEqualTo("U0A1B2C3D4E");
        assertThat(interaction.userName()).isEqualTo("dana.scully");
        assertThat(interaction.teamId()).isEqualTo("T0F9E8D7C6B");
        assertThat(interaction.message()).isEqualTo(new MessageRef(SlackStubs.CHANNEL, SlackStubs.MESSAGE_TS));
        assertThat(interaction.replyTo())
                .isEqualTo("https://hooks.slack.com/actions/T0F9E8D7C6B/8112345678901/Zq3xR7vW9kLmN2pB5sT8yU1c");
        assertThat(interaction.toString()).doesNotContain("hooks.slack.com");
    }

    @Test
    void aDenyClickByAnEnterpriseUserWithoutUsernameIsRead() throws InvalidPayloadException {
        Interaction interaction = channel.interaction(SlackStubs.signed(SlackStubs.fixtureJson("block_actions_deny.json")));

        assertThat(interaction.approve()).isFalse();
        assertThat(interaction.planId()).isEqualTo(SlackStubs.PLAN);
        assertThat(interaction.userId()).isEqualTo("W0ENTUSER42");
        assertThat(interaction.userName()).isEqualTo("fox.mulder");
    }

    @Test
    void anotherActionIdIsRejected() {
        assertRejected(changed(p -> action(p).put("action_id", "irhub_approve_all")),
                "action_id 'irhub_approve_all' is neither irhub_approve nor irhub_deny");
    }

    @Test
    void aValueThatIsNoUuidIsRejected() {
        assertRejected(changed(p -> action(p).put("value", "6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c OR 1=1")),
                "is not a plan id");
        assertRejected(changed(p -> action(p).put("value", "1-2-3-4-5")), "is not a plan id");
        assertRejected(changed(p -> action(p).remove("value")), "is not a plan id");
    }

    @Test
    void otherPayloadTypesAreRejected() {
        assertRejected(changed(p -> p.put("type", "view_submission")), "payload type 'view_submission'");
        assertRejected(changed(p -> p.put("type", "interactive_message")), "is not block_actions");
    }

    @Test
    void aClickInAnotherChannelIsRejected() {
        assertRejected(changed(p -> ((ObjectNode) p.get("container")).put("channel_id", "C0OTHERCHAN")),
                "came from channel 'C0OTHERCHAN', not from the configured channel C0123ABCDEF");
    }

    @Test
    void anythingButExactlyOneButtonIsRejected() {
        assertRejected(changed(p -> p.withArray("actions").add(action(p).deepCopy())), "has 2 actions");
        assertRejected(changed(p -> p.withArray("actions").removeAll()), "has 0 actions");
        assertRejected(changed(p -> action(p).put("type", "static_select")), "not a button");
    }

    @Test
    void aPayloadWithoutUserOrMessageIsRejected() {
        assertRejected(changed(p -> p.remove("user")), "user.id");
        assertRejected(changed(p -> {
            p.remove("container");
            p.remove("message");
        }), "no container.message_ts");
    }

    @Test
    void aBodyThatIsNoPayloadIsRejected() {
        InboundRequest notJson = SlackStubs.signed("payload=%7Bnot+json", SlackStubs.CLICKED_AT, SlackStubs.SIGNING_SECRET);
        assertThatThrownBy(() -> channel.interaction(notJson)).hasMessageContaining("not JSON");

        InboundRequest twice = SlackStubs.signed(SlackStubs.form(approve()) + "&" + SlackStubs.form(approve()),
                SlackStubs.CLICKED_AT, SlackStubs.SIGNING_SECRET);
        assertThatThrownBy(() -> channel.interaction(twice)).hasMessageContaining("more than one payload");

        InboundRequest badEscape = SlackStubs.signed("payload=%zz", SlackStubs.CLICKED_AT, SlackStubs.SIGNING_SECRET);
        assertThatThrownBy(() -> channel.interaction(badEscape)).hasMessageContaining("not URL-encoded");
    }

    @Test
    void anUnsignedPayloadIsRejectedBeforeItIsRead() {
        InboundRequest unsigned = new InboundRequest(null, Map.of(),
                SlackStubs.form(approve()).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> channel.interaction(unsigned)).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("missing X-Slack-Request-Timestamp");
    }
}
