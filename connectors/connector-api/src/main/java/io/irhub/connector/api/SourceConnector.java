package io.irhub.connector.api;

/** A detection source (Splunk, Sentinel, Falcon). */
public interface SourceConnector extends Connector {

    /**
     * Opens one configured instance.
     *
     * @param instance the instance name ({@code splunk-prod}); appears in webhook paths and audit rows
     * @param config   validated against {@link #configDef()}
     */
    Source open(String instance, ConnectorConfig config);
}
