package io.irhub.connector.slack;

import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalConnector;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;

/**
 * Slack as an approval channel: posts approval requests with Approve and Deny buttons to one channel, verifies the
 * signed callbacks of the clicks, and updates the message with the decision.
 */
public final class SlackConnector implements ApprovalConnector {

    @Override
    public String id() {
        return "slack";
    }

    @Override
    public String description() {
        return "Slack: posts approval requests with Approve/Deny buttons to a channel (bot token, chat:write) and "
                + "verifies the signed button clicks.";
    }

    @Override
    public ConfigDef configDef() {
        return SlackConfig.definition();
    }

    /**
     * @throws io.irhub.connector.api.ConfigException naming the field when the token is not a bot token, the channel
     *                                                is not a channel id, or a duration or count is out of range
     */
    @Override
    public ApprovalChannel open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new SlackChannel(instance, SlackConfig.from(config), context);
    }
}
