package io.irhub.connector.scim;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.SecretResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link ScimConnector#open} refuses, before any call. */
class ScimConfigTest {
    private static final String BASE = "https://bridge.example.com";

    private static ConnectorConfig parse(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(ScimStubs.config(BASE));
        raw.putAll(changes);
        return new ScimConnector().configDef().parse("targets.scim-main", raw,
                SecretResolver.of(ScimStubs.environment()));
    }

    private static ScimConfig open(Map<String, Object> changes) {
        return ScimConfig.from(parse(changes));
    }

    private static void assertRefused(Map<String, Object> changes, String field, String... messageParts) {
        ConnectorConfig config = parse(changes);
        assertThatThrownBy(() -> new ScimConnector().open("scim-main", config, ConnectorContext.defaults()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.scope()).isEqualTo("targets.scim-main");
                    assertThat(e.errors()).extracting(ConfigError::field).containsExactly(field);
                    assertThat(e.getMessage()).contains(messageParts);
                });
    }

    @Test
    void declaresTheFieldsOtherModulesConfigure() {
        assertThat(new ScimConnector().configDef().fields()).extracting(ConfigField::name).containsExactly(
                "base-url", "lookup-token", "suspend-token", "restore-token", "user-filter-attribute",
                "email-filter", "timeout", "max-retries", "max-rate-limit-wait");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ScimConfig config = open(Map.of());

        assertThat(config.baseUrl()).hasToString(BASE + "/scim/v2");
        assertThat(config.userFilterAttribute()).isEqualTo("userName");
        assertThat(config.emailFilter()).isTrue();
        assertThat(config.timeout()).hasSeconds(10);
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.maxRateLimitWait()).hasSeconds(60);
        assertThat(config.toString()).doesNotContain(ScimStubs.environment().values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"userName", "externalId", "name.familyName", "emails.value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"})
    void attributePathsAreAccepted(String attribute) {
        assertThat(open(Map.of("user-filter-attribute", attribute)).userFilterAttribute()).isEqualTo(attribute);
    }

    @ParameterizedTest
    @ValueSource(strings = {"userName pr or userName", "userName eq \"x\"", "emails[type eq \"work\"]", "1st",
            "a.b.c"})
    void anythingElseInTheFilterAttributeIsRefused(String attribute) {
        assertRefused(Map.of("user-filter-attribute", attribute), "user-filter-attribute",
                "is not a SCIM attribute path");
    }

    @Test
    void aNonPositiveTimeoutIsRefused() {
        assertRefused(Map.of("timeout", "0s"), "timeout", "must be positive");
    }

    @Test
    void negativeRetriesAreRefused() {
        assertRefused(Map.of("max-retries", "-1"), "max-retries", "must be 0 or more");
    }

    @Test
    void aBaseUrlWithAQueryIsRefused() {
        assertRefused(Map.of("base-url", BASE + "/scim/v2?tenant=1"), "base-url", "must not have a query");
    }
}
