package io.irhub.connector.api;

import java.time.Clock;

/**
 * What the hub lends a connector instance.
 *
 * @param clock     the hub's clock (tests may fix it)
 * @param userAgent {@code irhub/<version>}, for vendors that ask for a product User-Agent
 */
public record ConnectorContext(Clock clock, String userAgent) {
    public static ConnectorContext defaults() {
        return new ConnectorContext(Clock.systemUTC(), "irhub/" + Connectors.version());
    }
}
