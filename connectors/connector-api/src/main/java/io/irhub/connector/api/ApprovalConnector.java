package io.irhub.connector.api;

/**
 * Where people approve or deny plans (Slack). Listed in
 * {@code META-INF/services/io.irhub.connector.api.ApprovalConnector}.
 */
public interface ApprovalConnector extends Connector {

    ApprovalChannel open(String instance, ConnectorConfig config, ConnectorContext context);
}
