package io.irhub.connector.crowdstrike;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * CrowdStrike Falcon as a source: alerts a Falcon Fusion workflow posts to {@code POST /hooks/{instance}} (or Event
 * Streams detection events relayed there), and, when {@code poll} is on, alerts pulled from the Alerts API v2.
 */
public final class CrowdStrikeConnector implements SourceConnector {
    static final String ID = "crowdstrike";

    private static final Duration RETRY_BACKOFF = Duration.ofMillis(200);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CrowdStrike Falcon: alerts pushed by a Fusion workflow webhook (bearer or HMAC) or pulled from the "
                + "Alerts API v2; one signal per alert, keyed by its composite id.";
    }

    @Override
    public ConfigDef configDef() {
        return CrowdStrikeConfig.definition();
    }

    /** @throws io.irhub.connector.api.ConfigException naming each field whose value cannot be used */
    @Override
    public Source open(String instance, ConnectorConfig config) {
        CrowdStrikeConfig settings = CrowdStrikeConfig.from(config);
        Clock clock = Clock.systemUTC();
        Optional<Poller> poller = settings.poll().map(poll -> new FalconPoller(instance, poll,
                new FalconClient(instance, poll, clock, "irhub/" + Connectors.version(), RETRY_BACKOFF), clock));
        return new CrowdStrikeSource(instance, settings, clock, poller);
    }
}
