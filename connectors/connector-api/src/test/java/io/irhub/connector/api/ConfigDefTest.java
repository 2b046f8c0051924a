package io.irhub.connector.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDefTest {
    static final ConfigDef DEF = new ConfigDef()
            .define(ConfigField.required("url", ConfigField.Type.URL, "base URL"))
            .define(ConfigField.optional("timeout", ConfigField.Type.DURATION, "10s", "per call"))
            .define(ConfigField.optional("retries", ConfigField.Type.INT, "3", "retries"))
            .define(ConfigField.optional("strict", ConfigField.Type.BOOLEAN, "true", "strict"))
            .define(ConfigField.optional("fields", ConfigField.Type.LIST, "a,b", "fields"))
            .define(ConfigField.requiredSecret("token", "the token"));

    @Test
    void parsesTypesDefaultsAndSecrets(@TempDir Path dir) throws Exception {
        Path secretFile = dir.resolve("token");
        Files.writeString(secretFile, "s3cr3t-from-file\n");
        ConnectorConfig c = DEF.parse("targets.x", Map.of("url", "https://example.com", "retries", 5,
                "fields", List.of("x", "y"), "token", "${file:" + secretFile + "}"), SecretResolver.of(Map.of()));
        assertThat(c.url("url").getHost()).isEqualTo("example.com");
        assertThat(c.duration("timeout")).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.integer("retries")).isEqualTo(5);
        assertThat(c.bool("strict")).isTrue();
        assertThat(c.list("fields")).containsExactly("x", "y");
        assertThat(c.secret("token").reveal()).isEqualTo("s3cr3t-from-file");
        assertThat(c.toString()).doesNotContain("s3cr3t").contains("token=[secret]");
    }

    @Test
    void reportsEveryBadFieldAndNeverEchoesASecret() {
        assertThatThrownBy(() -> DEF.parse("targets.x", Map.of("url", "ftp://nope", "timeout", "soon", "retries", "many",
                "strict", "maybe", "token", "inline-value", "extra", 1), SecretResolver.of(Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).extracting(ConfigError::field)
                            .containsExactlyInAnyOrder("url", "timeout", "retries", "strict", "token", "extra");
                    assertThat(e.getMessage()).doesNotContain("inline-value").startsWith("targets.x: invalid configuration");
                });
    }

    @Test
    void aMissingEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> DEF.parse("s", Map.of("url", "http://h", "token", "${env:NOPE_TOKEN}"), SecretResolver.of(Map.of())))
                .hasMessageContaining("token: environment variable NOPE_TOKEN is not set");
    }

    @Test
    void durationsReadIsoAndShortForms() {
        assertThat(ConfigDef.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(ConfigDef.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigDef.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> ConfigDef.parseDuration("")).isInstanceOf(IllegalArgumentException.class);
    }
}
