package io.irhub.connector.onepassword;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.SecretResolver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link OnePasswordConfig} reads and refuses, before any call to 1Password. */
class OnePasswordConfigTest {

    private static OnePasswordConfig read(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OnePasswordStubs.config("https://api.1password.com"));
        raw.putAll(changes);
        ConnectorConfig config = new OnePasswordConnector().configDef().parse("targets.onepassword-main", raw,
                SecretResolver.of(OnePasswordStubs.environment()));
        return OnePasswordConfig.from(config);
    }

    private static void assertRefused(Map<String, Object> changes, String field, String message) {
        assertThatThrownBy(() -> read(changes)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.scope()).isEqualTo("targets.onepassword-main");
            assertThat(e.errors()).extracting(ConfigError::field).containsExactly(field);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void declaresTheFieldsTheReadmeDocuments() {
        assertThat(new OnePasswordConnector().configDef().fields()).extracting(ConfigField::name).containsExactly(
                "base-url", "account-id",
                "lookup-client-id", "lookup-client-secret",
                "suspend-client-id", "suspend-client-secret",
                "reactivate-client-id", "reactivate-client-secret",
                "timeout", "max-retries", "max-rate-limit-wait");
    }

    @Test
    void defaultsToThe1PasswordComRegion() {
        Map<String, Object> changes = new HashMap<>();
        changes.put("base-url", null);

        OnePasswordConfig config = read(changes);

        assertThat(config.tokenUrl()).isEqualTo(URI.create("https://api.1password.com/v1beta1/users/oauth2/token"));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.maxRateLimitWait()).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://api.1password.ca", "https://api.1password.eu/"})
    void tokenAndUsersCallsGoToTheConfiguredRegion(String baseUrl) {
        OnePasswordConfig config = read(Map.of("base-url", baseUrl));

        String host = URI.create(baseUrl).getHost();
        assertThat(config.tokenUrl()).isEqualTo(URI.create("https://" + host + "/v1beta1/users/oauth2/token"));
        assertThat(config.url(config.usersPath()))
                .isEqualTo(URI.create("https://" + host + "/v1beta1/accounts/ACCOUNT123/users"));
    }

    @Test
    void theAccountIdIsOnePathSegment() {
        assertThat(read(Map.of("account-id", "ACME/EU 1")).usersPath())
                .isEqualTo("/v1beta1/accounts/ACME%2FEU%201/users");
    }

    @Test
    void eachApplicationHasItsOwnCredentials() {
        OnePasswordConfig config = read(Map.of());

        for (Application app : Application.values()) {
            OnePasswordStubs.App expected = OnePasswordStubs.app(app.id());
            assertThat(config.app(app).clientId()).isEqualTo(expected.clientId());
            assertThat(config.app(app).clientSecret().reveal()).isEqualTo(expected.secret());
            assertThat(config.app(app).toString()).doesNotContain(expected.secret());
        }
    }

    @Test
    void negativeRetriesAreRefused() {
        assertRefused(Map.of("max-retries", "-1"), "max-retries", "0 or more");
    }

    @Test
    void aZeroTimeoutIsRefused() {
        assertRefused(Map.of("timeout", "0s"), "timeout", "must be positive");
    }

    @Test
    void aBaseUrlWithAQueryIsRefused() {
        assertRefused(Map.of("base-url", "https://api.1password.com/?region=eu"), "base-url", "query");
    }
}
