package io.irhub.connector.onepassword;

import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;

import java.util.List;

/**
 * 1Password as a target: looks users up, suspends and reactivates them through the Users API for Partners
 * (v1beta1), with one OAuth application per capability.
 */
public final class OnePasswordConnector implements TargetConnector {

    private static final List<Capability> CAPABILITIES = List.of(
            new Capability(Verb.LOOKUP, Application.LOOKUP.id(),
                    "Finds the user by 1Password id (GET /v1beta1/accounts/{account}/users/{id}) or by email "
                            + "(GET /v1beta1/accounts/{account}/users, paged); permissions Get user and List users."),
            new Capability(Verb.SUSPEND, Application.SUSPEND.id(),
                    "Suspends an ACTIVE user: POST /v1beta1/accounts/{account}/users/{id}:suspend; permission "
                            + "Suspend users."),
            new Capability(Verb.RESTORE, Application.REACTIVATE.id(),
                    "Reactivates a SUSPENDED user: POST /v1beta1/accounts/{account}/users/{id}:reactivate; "
                            + "permission Reactivate users."));

    @Override
    public String id() {
        return "onepassword";
    }

    @Override
    public String description() {
        return "1Password: looks up, suspends and reactivates users through the Users API, one OAuth application "
                + "per capability.";
    }

    @Override
    public ConfigDef configDef() {
        return OnePasswordConfig.definition();
    }

    @Override
    public List<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * @throws io.irhub.connector.api.ConfigException naming the field whose value cannot be used
     */
    @Override
    public Target open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new OnePasswordTarget(instance, OnePasswordConfig.from(config), context);
    }
}
