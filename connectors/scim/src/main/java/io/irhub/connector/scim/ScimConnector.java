package io.irhub.connector.scim;

import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;

import java.util.List;

/** A SCIM 2.0 service provider (RFC 7644) as a target: looks users up and sets their {@code active} flag. */
public final class ScimConnector implements TargetConnector {

    private static final List<Capability> CAPABILITIES = List.of(
            new Capability(Verb.LOOKUP, Credential.LOOKUP.id(),
                    "Finds one user: GET /Users/{id}, or GET /Users?filter=userName eq \"…\", then by email."),
            new Capability(Verb.SUSPEND, Credential.SUSPEND.id(),
                    "Deactivates an active user: PATCH /Users/{id} replace active=false."),
            new Capability(Verb.RESTORE, Credential.RESTORE.id(),
                    "Reactivates an inactive user: PATCH /Users/{id} replace active=true."));

    @Override
    public String id() {
        return "scim";
    }

    @Override
    public String description() {
        return "SCIM 2.0 service provider: looks users up and deactivates or reactivates them through active, "
                + "with a bearer token per capability.";
    }

    @Override
    public ConfigDef configDef() {
        return ScimConfig.definition();
    }

    @Override
    public List<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** @throws io.irhub.connector.api.ConfigException naming the field whose value cannot be used */
    @Override
    public Target open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new ScimTarget(instance, ScimConfig.from(config), context);
    }
}
