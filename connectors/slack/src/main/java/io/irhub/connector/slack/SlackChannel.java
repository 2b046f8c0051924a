package io.irhub.connector.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalChannelException;
import io.irhub.connector.api.ApprovalRequest;
import io.irhub.connector.api.ApprovalStatus;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.Interaction;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.MessageRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** One Slack channel where approval requests are posted and decided. */
final class SlackChannel implements ApprovalChannel {
    private static final Logger LOG = LoggerFactory.getLogger(SlackChannel.class);
    private static final String RESPONSE_HOST = "hooks.slack.com";

    private final String instance;
    private final SlackConfig config;
    private final SlackClient client;
    private final SlackInteractions interactions;

    SlackChannel(String instance, SlackConfig config, ConnectorContext context) {
        this.instance = instance;
        this.config = config;
        this.client = new SlackClient(instance, config, context);
        this.interactions = new SlackInteractions(config.signingSecret(), config.maxClockSkew(), context.clock(),
                config.channel());
    }

    @Override
    public String instance() {
        return instance;
    }

    /** {@code chat.postMessage} to the configured channel; link previews are off, as links come from detections. */
    @Override
    public MessageRef post(ApprovalRequest request) {
        ObjectNode arguments = SlackBlocks.request(request);
        arguments.put("channel", config.channel()).put("unfurl_links", false).put("unfurl_media", false);
        JsonNode answer = client.call("chat.postMessage", arguments);
        String channel = answer.path("channel").asText("");
        String ts = answer.path("ts").asText("");
        if (channel.isEmpty() || ts.isEmpty()) {
            throw new ApprovalChannelException("Slack's answer to chat.postMessage has no channel or ts");
        }
        LOG.info("slack {}: posted the approval request for plan {} as message {} in {}", instance, request.planId(),
                ts, channel);
        return new MessageRef(channel, ts);
    }

    /** {@code chat.update} of the posted message with the request's state; decided or expired, it has no buttons. */
    @Override
    public void update(MessageRef message, ApprovalRequest request, ApprovalStatus status) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode()
                .put("channel", message.channel())
                .put("ts", message.id());
        arguments.setAll(SlackBlocks.status(request, status));
        client.call("chat.update", arguments);
        LOG.info("slack {}: message {} of plan {} now shows {}", instance, message.id(), request.planId(),
                status.state());
    }

    @Override
    public Interaction interaction(InboundRequest request) throws InvalidPayloadException {
        Interaction interaction = interactions.read(request);
        LOG.debug("slack {}: {} on message {}", instance, interaction, interaction.message().id());
        return interaction;
    }

    /**
     * An ephemeral message, seen only by the person who clicked, through the interaction's response URL. The text is
     * shown as given: Slack markup in it is escaped.
     *
     * @throws ApprovalChannelException when the response URL is missing or points anywhere but Slack, or Slack
     *                                  refused the message
     */
    @Override
    public void tell(Interaction interaction, String text) {
        URI target = allowedResponseUrl(interaction);
        ObjectNode message = JsonNodeFactory.instance.objectNode()
                .put("response_type", "ephemeral")
                .put("replace_original", false)
                .put("text", SlackBlocks.truncate(SlackBlocks.escape(text), SlackBlocks.TEXT_MAX));
        client.respond(target, message);
    }

    /**
     * The interaction's response URL if it leads to Slack's {@code https://hooks.slack.com}, or to the host of
     * {@code api-base-url} (where tests run their stand-in). Anything else is refused, so a callback can never make
     * the hub post to an address of its choosing.
     */
    private URI allowedResponseUrl(Interaction interaction) {
        String refusal;
        URI uri = null;
        if (interaction.replyTo() == null || interaction.replyTo().isBlank()) {
            refusal = "it has no response_url";
        } else {
            try {
                uri = new URI(interaction.replyTo());
                refusal = refusal(uri);
            } catch (URISyntaxException e) {
                refusal = "its response_url is not a URL";
            }
        }
        if (refusal != null) {
            // the host is safe to show; the rest of a response URL is a credential
            LOG.warn("slack {}: not replying to {}: {}", instance, interaction, refusal);
            throw new ApprovalChannelException("not replying to " + interaction + ": " + refusal);
        }
        return uri;
    }

    private String refusal(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (uri.getRawUserInfo() != null) {
            return "its response_url carries user info";
        }
        boolean slack = scheme.equals("https") && host.equals(RESPONSE_HOST) && (uri.getPort() == -1 || uri.getPort() == 443);
        URI api = config.apiBaseUrl();
        boolean apiHost = scheme.equals(api.getScheme().toLowerCase(Locale.ROOT))
                && host.equals(api.getHost().toLowerCase(Locale.ROOT)) && port(uri) == port(api);
        if (slack || apiHost) {
            return null;
        }
        return "its response_url points at " + (host.isEmpty() ? "no host" : scheme + "://" + host
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort())) + ", which is neither https://" + RESPONSE_HOST
                + " nor api-base-url's host";
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
