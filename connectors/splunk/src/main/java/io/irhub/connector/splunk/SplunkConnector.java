package io.irhub.connector.splunk;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;

import java.time.Clock;

/**
 * Receives the Splunk webhook alert action. Splunk cannot add headers to that request, so each instance is
 * reached at {@code POST /hooks/{instance}/{token}} and authenticated by the token in the path.
 */
public final class SplunkConnector implements SourceConnector {
    static final String ID = "splunk";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Splunk webhook alert action: one signal per triggered alert, identities taken from the first result row.";
    }

    @Override
    public ConfigDef configDef() {
        return SplunkConfig.definition();
    }

    /** @throws io.irhub.connector.api.ConfigException naming each field whose value cannot be used */
    @Override
    public Source open(String instance, ConnectorConfig config) {
        return new SplunkSource(instance, SplunkConfig.from(config), Clock.systemUTC());
    }
}
