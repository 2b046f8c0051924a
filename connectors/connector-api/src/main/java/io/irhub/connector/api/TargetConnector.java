package io.irhub.connector.api;

import java.util.List;

/** An identity target (Okta, 1Password, Vault, SCIM) that acts on identities. */
public interface TargetConnector extends Connector {

    /** The verbs this connector can perform, each with the credential it uses. */
    List<Capability> capabilities();

    /**
     * Opens one configured instance.
     *
     * @param instance the instance name ({@code okta-main})
     * @param config   validated against {@link #configDef()}
     * @param context  what the hub lends the instance
     */
    Target open(String instance, ConnectorConfig config, ConnectorContext context);
}
