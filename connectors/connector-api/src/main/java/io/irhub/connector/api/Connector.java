package io.irhub.connector.api;

/**
 * What every connector module provides. Implementations have a public no-argument constructor and are listed in
 * {@code META-INF/services/io.irhub.connector.api.SourceConnector} or {@code ...TargetConnector}; they are
 * factories: one per connector type, opening one instance per configured instance.
 */
public interface Connector {

    /** The connector's id, kebab-case and unique on the classpath ({@code okta}); configuration names it as {@code type}. */
    String id();

    /** One sentence for {@code irhub connectors list}. */
    String description();

    /** The configuration one instance takes. */
    ConfigDef configDef();
}
