package io.irhub.connector.slack;

import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.SecretResolver;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Discovery and configuration (the testkit has no approval-connector contract yet; this covers its config half). */
class SlackConnectorTest {
    private static final String API = "http://127.0.0.1:9";

    @Test
    void isDiscoveredAsTheSlackApprovalConnector() {
        assertThat(Connectors.discover().approval("slack")).isInstanceOf(SlackConnector.class);
        assertThat(new SlackConnector().description()).isNotBlank();
    }

    @Test
    void theCredentialsAndOnlyThemAreSecret() {
        assertThat(new SlackConnector().configDef().fields()).allSatisfy(f -> {
            assertThat(f.name()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
            assertThat(f.description()).isNotBlank();
        });
        assertThat(new SlackConnector().configDef().fields().stream().filter(ConfigField::secret)
                .map(ConfigField::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("bot-token", "signing-secret");
    }

    @Test
    void defaultsAreSlacksApiTenSecondsThreeRetriesAndFiveMinutesOfSkew() {
        Map<String, Object> raw = new HashMap<>(SlackStubs.config(API));
        raw.keySet().removeAll(Set.of("api-base-url", "timeout", "max-retries"));
        SlackConfig config = SlackConfig.from(SlackStubs.parse(raw));

        assertThat(config.apiBaseUrl()).isEqualTo(URI.create("https://slack.com/api"));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.maxClockSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.channel()).isEqualTo(SlackStubs.CHANNEL);
        assertThat(config.toString()).doesNotContain(SlackStubs.BOT_TOKEN, SlackStubs.SIGNING_SECRET);
    }

    @Test
    void missingRequiredFieldsAreReportedOneByOne() {
        assertThatThrownBy(() -> new SlackConnector().configDef().parse("slack-test", Map.of(),
                SecretResolver.of(SlackStubs.environment())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(err -> err.field())
                        .containsExactlyInAnyOrder("bot-token", "signing-secret", "channel"));
    }

    @Test
    void inlineSecretsAreRefusedWithoutEchoingThem() {
        Map<String, Object> raw = new HashMap<>(SlackStubs.config(API));
        raw.put("bot-token", SlackStubs.BOT_TOKEN);
        raw.put("signing-secret", SlackStubs.SIGNING_SECRET);

        assertThatThrownBy(() -> SlackStubs.parse(raw)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.errors()).extracting(err -> err.field()).containsExactlyInAnyOrder("bot-token", "signing-secret");
            assertThat(e.getMessage()).doesNotContain(SlackStubs.BOT_TOKEN, SlackStubs.SIGNING_SECRET);
        });
    }

    @Test
    void aUserTokenAChannelNameAndPlainHttpToSlackAreRefusedPerField() {
        Map<String, String> environment = new HashMap<>(SlackStubs.environment());
        environment.put("USER_TOKEN", "xoxp-1234-5678-user-token-secret");
        Map<String, Object> raw = new HashMap<>(SlackStubs.config("http://slack.com/api"));
        raw.put("bot-token", "${env:USER_TOKEN}");
        raw.put("channel", "#identity-response");
        raw.put("max-clock-skew", "0s");
        ConnectorConfig parsed = new SlackConnector().configDef().parse("slack-test", raw,
                SecretResolver.of(environment));

        assertThatThrownBy(() -> new SlackConnector().open("slack-test", parsed, ConnectorContext.defaults()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).extracting(err -> err.field())
                            .containsExactlyInAnyOrder("bot-token", "channel", "api-base-url", "max-clock-skew");
                    assertThat(e.getMessage()).contains("xoxb-", "env:USER_TOKEN")
                            .doesNotContain("xoxp-1234-5678-user-token-secret");
                });
    }

    @Test
    void unknownFieldsAreReported() {
        Map<String, Object> raw = new HashMap<>(SlackStubs.config(API));
        raw.put("webhook-url", "https://hooks.slack.com/services/x");

        assertThatThrownBy(() -> SlackStubs.parse(raw)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors()).extracting(err -> err.field()).containsExactly("webhook-url"));
    }
}
