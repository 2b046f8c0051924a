package io.irhub.connector.vault;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.SecretResolver;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link VaultConnector#open} refuses, before any call to Vault. */
class VaultConfigTest {
    private static final String ADDRESS = "https://vault.example.com:8200";

    @TempDir
    Path secrets;
    private Map<String, Object> base;

    @BeforeEach
    void setUp() {
        base = VaultStubs.config(ADDRESS, VaultStubs.writeRotateTokenFile(secrets));
    }

    private void open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(base);
        raw.putAll(changes);
        ConnectorConfig config = new VaultConnector().configDef().parse("targets.vault-main", raw,
                SecretResolver.of(Map.of(VaultStubs.REVOKE_SECRET_ID_VARIABLE, VaultStubs.REVOKE_SECRET_ID,
                        "VAULT_ROTATE_SECRET_ID", "rotate-secret-id-value")));
        new VaultConnector().open("vault-main", config, ConnectorContext.defaults());
    }

    private static void assertRefused(ThrowingCallable open, String field, String... messageParts) {
        assertThatThrownBy(open).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.scope()).isEqualTo("targets.vault-main");
            assertThat(e.errors()).extracting(ConfigError::field).containsExactly(field);
            assertThat(e.getMessage()).contains(messageParts);
            assertThat(e.getMessage()).doesNotContain(VaultStubs.REVOKE_SECRET_ID, VaultStubs.ROTATE_TOKEN,
                    "rotate-secret-id-value");
        });
    }

    private static Map<String, Object> without(String... fields) {
        Map<String, Object> changes = new HashMap<>();
        for (String field : fields) {
            changes.put(field, null);
        }
        return changes;
    }

    @Test
    void declaresTheFieldsOtherModulesConfigure() {
        assertThat(new VaultConnector().configDef().fields()).extracting(ConfigField::name).containsExactly(
                "address", "namespace",
                "revoke-role-id", "revoke-secret-id", "revoke-token",
                "rotate-role-id", "rotate-secret-id", "rotate-token",
                "kv-rotation", "kv-rotation-key", "timeout", "max-retries", "max-rate-limit-wait");
    }

    @Test
    void theValidConfigurationOpens() {
        open(Map.of());
    }

    @Test
    void eachCredentialMayBeEitherKind() {
        Map<String, Object> swapped = without("revoke-role-id", "revoke-secret-id", "rotate-token");
        swapped.put("revoke-token", base.get("rotate-token"));
        swapped.put("rotate-role-id", "rotate-role");
        swapped.put("rotate-secret-id", "${env:VAULT_ROTATE_SECRET_ID}");
        open(swapped);
    }

    @Test
    void aMissingCredentialIsRefusedNamingBothWaysToGiveIt() {
        assertRefused(() -> open(without("revoke-role-id", "revoke-secret-id")), "revoke-token",
                "the revoke credential is missing", "set revoke-token, or revoke-role-id with revoke-secret-id");
    }

    @Test
    void aCredentialGivenTwoWaysIsRefused() {
        Map<String, Object> both = new HashMap<>();
        both.put("rotate-role-id", "rotate-role");
        both.put("rotate-secret-id", "${env:VAULT_ROTATE_SECRET_ID}");
        assertRefused(() -> open(both), "rotate-token", "is set together with rotate-role-id",
                "give the rotate credential one way");
    }

    @Test
    void anAppRoleNeedsBothItsIds() {
        assertRefused(() -> open(without("revoke-secret-id")), "revoke-secret-id",
                "is required when revoke-role-id is set");
        assertRefused(() -> open(without("revoke-role-id")), "revoke-role-id",
                "is required when revoke-secret-id is set");
    }

    @Test
    void anAddressEndingInV1IsRefused() {
        assertRefused(() -> open(Map.of("address", ADDRESS + "/v1/")), "address", "without /v1");
    }

    @Test
    void anUnknownKvRotationHookIsRefused() {
        assertRefused(() -> open(Map.of("kv-rotation", "run-a-script")), "kv-rotation",
                "'run-a-script' is not a known hook", "random-password");
    }

    @Test
    void negativeRetriesAreRefused() {
        assertRefused(() -> open(Map.of("max-retries", "-1")), "max-retries", "0 or more");
    }
}
