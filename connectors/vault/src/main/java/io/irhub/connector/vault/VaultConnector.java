package io.irhub.connector.vault;

import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;

import java.util.List;

/** HashiCorp Vault as a target: revokes leases and tokens, rotates database credentials and KV v2 secrets. */
public final class VaultConnector implements TargetConnector {

    private static final List<Capability> CAPABILITIES = List.of(
            new Capability(Verb.REVOKE, Credential.REVOKE.id(),
                    "Revokes a lease (identity kind secret, by lease id): PUT /v1/sys/leases/revoke; or a token and "
                            + "its children (kind api-token, by accessor): POST /v1/auth/token/revoke-accessor. "
                            + "Each is looked up first."),
            new Capability(Verb.ROTATE, Credential.ROTATE.id(),
                    "Rotates the secret the identity names: {mount}/static-roles/{name} -> POST "
                            + "/v1/{mount}/rotate-role/{name}; {mount}/config/{name} -> POST /v1/{mount}/rotate-root/{name}; "
                            + "kv:{mount}/{path} -> a new KV v2 version, only with the kv-rotation hook."));

    @Override
    public String id() {
        return "vault";
    }

    @Override
    public String description() {
        return "HashiCorp Vault: revokes leases and tokens and rotates database and KV v2 secrets, with a separate "
                + "AppRole or token for each.";
    }

    @Override
    public ConfigDef configDef() {
        return VaultConfig.definition();
    }

    @Override
    public List<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * @throws io.irhub.connector.api.ConfigException naming the fields when a credential is missing, incomplete or
     *                                                given two ways
     */
    @Override
    public Target open(String instance, ConnectorConfig config, ConnectorContext context) {
        return new VaultTarget(instance, VaultConfig.from(config), context);
    }
}
