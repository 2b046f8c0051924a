package io.irhub.kamelets;

import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalConnector;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.MessageRef;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bean behind the approval Kamelets: posts the approval request in the body to the approval connector's channel
 * and answers with the posted message, {@code {"channel": "C…", "id": "<ts>"}}, which a later update refers to.
 *
 * <p>In: {@code plan_id, correlation_id, source_instance, detection, severity, link, policy,
 * actions[] {verb, target, identity}, reasons[], deadline, approvals_needed}. Who may approve and what a click means
 * stay the hub's business; this only shows the request. A channel that does not take the message is an
 * {@link io.irhub.connector.api.ApprovalChannelException} (the caller retries), never carrying a credential.
 */
public final class ApprovalAction implements Processor {
    private final Map<String, Object> config = new LinkedHashMap<>();
    private String kamelet;
    private String connector;
    private volatile ApprovalChannel channel;

    /** The Kamelet's name: names it in configuration errors and is the channel instance. */
    public void setKamelet(String kamelet) {
        this.kamelet = kamelet;
    }

    /** The approval connector's id ({@code slack}). */
    public void setConnector(String connector) {
        this.connector = connector;
    }

    /** The connector's configuration, keyed by Kamelet property name (camelCase); filled by the Kamelet template. */
    public Map<String, Object> getConfig() {
        return config;
    }

    /** @throws io.irhub.connector.api.ConfigException listing every property that is missing or unusable */
    public void start() {
        ApprovalConnector found = Connectors.discover(ApprovalAction.class.getClassLoader()).approval(connector);
        channel = found.open(kamelet, ConnectorSettings.parse(found.configDef(), kamelet, config),
                ConnectorContext.defaults());
    }

    @Override
    public void process(Exchange exchange) {
        ApprovalChannel open = channel;
        if (open == null) {
            throw new IllegalStateException(kamelet + " is not started");
        }
        Message message = exchange.getMessage();
        MessageRef posted = open.post(Wire.approvalRequest(Wire.read(message.getBody(String.class))));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(Wire.write(Wire.messageRef(posted)));
    }
}
