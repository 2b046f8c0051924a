package io.irhub.connector.testkit;

import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.Connector;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.SecretResolver;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configuration half of every connector's contract. */
abstract class ConfigContract {

    protected abstract Connector subject();

    /** A complete, valid configuration for one instance; secret fields hold {@code ${env:...}} references. */
    protected abstract Map<String, Object> validConfig();

    /** The environment the secret references resolve against; its values are the secrets. */
    protected abstract Map<String, String> environment();

    /** The names of the fields that hold credentials. */
    protected abstract Set<String> expectedSecretFields();

    protected ConnectorConfig parsedConfig() {
        return subject().configDef().parse("test-instance", validConfig(), SecretResolver.of(environment()));
    }

    @Test
    void idIsKebabCase() {
        assertThat(subject().id()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
        assertThat(subject().description()).isNotBlank();
    }

    @Test
    void everyFieldIsDocumentedAndCredentialsAreFlaggedSecret() {
        assertThat(subject().configDef().fields()).allSatisfy(f -> {
            assertThat(f.name()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
            assertThat(f.description()).as("description of %s", f.name()).isNotBlank();
        });
        Set<String> secret = subject().configDef().fields().stream().filter(ConfigField::secret)
                .map(ConfigField::name).collect(Collectors.toSet());
        assertThat(secret).isEqualTo(expectedSecretFields());
    }

    @Test
    void validConfigParses() {
        ConnectorConfig config = parsedConfig();
        assertThat(config.toString()).doesNotContain(environment().values());
    }

    @Test
    void missingRequiredFieldsAreReportedOneByOne() {
        Set<String> required = subject().configDef().fields().stream().filter(ConfigField::required)
                .map(ConfigField::name).collect(Collectors.toSet());
        assertThatThrownBy(() -> subject().configDef().parse("test-instance", Map.of(), SecretResolver.of(environment())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(err -> err.field()).containsExactlyInAnyOrderElementsOf(required));
    }

    @Test
    void inlineSecretsAreRefusedWithoutEchoingThem() {
        Map<String, Object> config = new HashMap<>(validConfig());
        String inline = "inline-secret-value-that-must-not-be-echoed";
        expectedSecretFields().forEach(f -> config.put(f, inline));
        if (expectedSecretFields().isEmpty()) {
            return;
        }
        assertThatThrownBy(() -> subject().configDef().parse("test-instance", config, SecretResolver.of(environment())))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).extracting(err -> err.field()).containsAll(expectedSecretFields());
                    assertThat(e.getMessage()).doesNotContain(inline);
                });
    }

    @Test
    void unknownFieldsAreReported() {
        Map<String, Object> config = new HashMap<>(validConfig());
        config.put("no-such-field", "x");
        assertThatThrownBy(() -> subject().configDef().parse("test-instance", config, SecretResolver.of(environment())))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.errors()).extracting(err -> err.field()).containsExactly("no-such-field"));
    }
}
