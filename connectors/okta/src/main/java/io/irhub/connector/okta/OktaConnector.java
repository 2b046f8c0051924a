package io.irhub.connector.okta;

import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;

import java.util.List;

/**
 * Okta as a target: looks users up, suspends, unsuspends and deactivates them and clears their sessions, through
 * OAuth 2.0 service apps.
 */
public final class OktaConnector implements TargetConnector {

    static final List<Capability> CAPABILITIES = List.of(
            new Capability(Verb.LOOKUP, Credential.LOOKUP.id(),
                    "Reads the user by login: GET /api/v1/users/{login} (scope okta.users.read)."),
            new Capability(Verb.SUSPEND, Credential.SUSPEND.id(),
                    "Suspends an ACTIVE user: POST /api/v1/users/{id}/lifecycle/suspend (scope okta.users.manage)."),
            new Capability(Verb.RESTORE, Credential.RESTORE.id(),
                    "Unsuspends a SUSPENDED user: POST /api/v1/users/{id}/lifecycle/unsuspend "
                            + "(scope okta.users.manage)."),
            new Capability(Verb.CLEAR_SESSIONS, Credential.SUSPEND.id(),
                    "Ends the user's sessions and revokes their OAuth tokens: "
                            + "DELETE /api/v1/users/{id}/sessions?oauthTokens=true (scope okta.users.manage)."),
            new Capability(Verb.DEACTIVATE, Credential.DEACTIVATE.id(),
                    "Deactivates (deprovisions) a user, irreversibly: "
                            + "POST /api/v1/users/{id}/lifecycle/deactivate?sendEmail=false "
                            + "(scope okta.users.manage)."));

    @Override
    public String id() {
        return "okta";
    }

    @Override
    public String description() {
        return "Okta: looks up, suspends, unsuspends and deactivates users and clears their sessions, through OAuth "
                + "2.0 service apps (private_key_jwt, DPoP when required).";
    }

    @Override
    public ConfigDef configDef() {
        return OktaConfig.definition();
    }

    @Override
    public List<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * @throws io.irhub.connector.api.ConfigException naming the field when a service app is incomplete or its key is
     *                                                unusable
     */
    @Override
    public Target open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new OktaTarget(instance, OktaConfig.from(config), context);
    }
}
