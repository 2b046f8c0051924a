package io.irhub.connector.okta;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.SecretResolver;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link OktaConnector#open} refuses, before any call to Okta. */
class OktaConfigTest {
    private static final String ORG = "https://acme.okta.com";

    private final Map<String, String> environment = new HashMap<>(OktaStubs.environment());

    private void open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OktaStubs.config(ORG));
        raw.putAll(changes);
        ConnectorConfig config = new OktaConnector().configDef().parse("targets.okta-main", raw,
                SecretResolver.of(environment));
        new OktaConnector().open("okta-main", config, ConnectorContext.defaults());
    }

    private static void assertRefused(ThrowingCallable open, String field, String... messageParts) {
        assertThatThrownBy(open).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.scope()).isEqualTo("targets.okta-main");
            assertThat(e.errors()).extracting(ConfigError::field).containsExactly(field);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void declaresTheFieldsOtherModulesConfigure() {
        assertThat(new OktaConnector().configDef().fields()).extracting(ConfigField::name).containsExactly(
                "org-url", "client-id", "private-key", "key-id",
                "lookup-client-id", "lookup-private-key", "lookup-key-id",
                "suspend-client-id", "suspend-private-key", "suspend-key-id",
                "restore-client-id", "restore-private-key", "restore-key-id",
                "deactivate-client-id", "deactivate-private-key", "deactivate-key-id",
                "dpop", "timeout", "max-retries", "max-rate-limit-wait");
    }

    @Test
    void aKeyThatIsNotPemIsRefusedWithoutQuotingIt() {
        String garbage = "-----BEGIN PRIVATE KEY-----\n"
                + "TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2d3Z2dTa0FnRUFBb0lCQVFD\n"
                + "-----END PRIVATE KEY-----";
        environment.put("OKTA_SUSPEND_PRIVATE_KEY", garbage);

        assertRefused(() -> open(Map.of()), "suspend-private-key", "env:OKTA_SUSPEND_PRIVATE_KEY",
                "neither an RSA nor an EC private key");
        assertThatThrownBy(() -> open(Map.of())).message().doesNotContain("TUlJRXZnSUJBREFOQmdrcWhraUc5dzBCQVFF");
    }

    @Test
    void plainTextIsRefusedWithoutQuotingIt() {
        environment.put("OKTA_PRIVATE_KEY", "this-is-not-a-key-at-all");

        assertRefused(() -> open(Map.of()), "private-key", "not a PEM PKCS#8 private key");
        assertThatThrownBy(() -> open(Map.of())).message().doesNotContain("this-is-not-a-key-at-all");
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheConversionToUse() {
        environment.put("OKTA_LOOKUP_PRIVATE_KEY",
                "-----BEGIN RSA PRIVATE KEY-----\nTUlJ\n-----END RSA PRIVATE KEY-----");

        assertRefused(() -> open(Map.of()), "lookup-private-key", "openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void aShortRsaKeyIsRefused() {
        environment.put("OKTA_LOOKUP_PRIVATE_KEY", OktaStubs.pem(OktaStubs.rsa(1024)));

        assertRefused(() -> open(Map.of()), "lookup-private-key", "2048");
    }

    @Test
    void anEcKeyOnAnotherCurveIsRefused() {
        environment.put("OKTA_PRIVATE_KEY", OktaStubs.pem(OktaStubs.ec("secp384r1")));

        assertRefused(() -> open(Map.of()), "private-key", "P-256");
    }

    @Test
    void aSeparateAppNeedsBothItsClientIdAndItsKey() {
        Map<String, Object> idWithoutKey = new HashMap<>();
        idWithoutKey.put("lookup-private-key", null);
        assertRefused(() -> open(idWithoutKey), "lookup-private-key", "required when lookup-client-id is set");

        Map<String, Object> keyWithoutId = new HashMap<>();
        keyWithoutId.put("suspend-client-id", null);
        assertRefused(() -> open(keyWithoutId), "suspend-client-id", "required when suspend-private-key is set");
    }

    @Test
    void aKeyIdForAnAppThatIsNotConfiguredIsRefused() {
        Map<String, Object> changes = new HashMap<>();
        changes.put("suspend-client-id", null);
        changes.put("suspend-private-key", null);
        changes.put("suspend-key-id", "kid-1");

        assertRefused(() -> open(changes), "suspend-key-id", "suspend-client-id is not");
    }

    @Test
    void negativeRetriesAreRefused() {
        assertRefused(() -> open(Map.of("max-retries", "-1")), "max-retries", "0 or more");
    }
}
