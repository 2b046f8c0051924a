package io.irhub.connector.sentinel;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;

/**
 * Microsoft Sentinel incidents as signals: pushed by a Logic App that an automation rule runs (the incident
 * trigger's body, posted to {@code POST /hooks/{instance}} with a bearer token or an HMAC in headers), and, when
 * configured, pulled from Microsoft Graph's {@code security/incidents}.
 */
public final class SentinelConnector implements SourceConnector {
    static final String ID = "sentinel";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Microsoft Sentinel: one signal per incident naming accounts, pushed by an automation rule's Logic App "
                + "or pulled from Microsoft Graph security/incidents.";
    }

    @Override
    public ConfigDef configDef() {
        return SentinelConfig.definition();
    }

    /** @throws io.irhub.connector.api.ConfigException naming each field whose value cannot be used */
    @Override
    public Source open(String instance, ConnectorConfig config) {
        return open(instance, config, ConnectorContext.defaults());
    }

    /** As {@link #open(String, ConnectorConfig)}, with the clock and User-Agent the poller uses. */
    Source open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new SentinelSource(instance, SentinelConfig.from(config), context);
    }
}
