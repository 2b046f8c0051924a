package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;
import io.irhub.connector.testkit.SourceConnectorContract;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.ALERT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.CLIENT_ID;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.CLIENT_SECRET;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.EPP_EVENT;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.WEBHOOK_SECRET;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.bearer;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.edited;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.read;
import static io.irhub.connector.crowdstrike.CrowdStrikeFixtures.withEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrowdStrikeConnectorTest extends SourceConnectorContract {

    @Override
    protected SourceConnector connector() {
        return new CrowdStrikeConnector();
    }

    @Override
    protected Map<String, Object> validConfig() {
        return Map.of("auth", "bearer", "webhook-secret", "${env:FALCON_WEBHOOK_SECRET}");
    }

    @Override
    protected Map<String, String> environment() {
        return CrowdStrikeFixtures.ENVIRONMENT;
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("webhook-secret", "client-secret");
    }

    @Override
    protected InboundRequest validDelivery() {
        return bearer(WEBHOOK_SECRET, read(ALERT));
    }

    @Override
    protected InboundRequest wronglyAuthenticatedDelivery() {
        return bearer("fusion-webhook-0000-not-the-configured-one", read(ALERT));
    }

    @Override
    protected List<String> malformedBodies() {
        return List.of(
                "",
                "composite_id=abc&user_name=jdoe",
                "{\"composite_id\": \"abc\", \"user_name\": \"jdoe\"",
                "{\"composite_id\": \"abc\", \"user_name\": \"jdoe\", \"severity\": 70} trailing",
                "{\"composite_id\": \"a\", \"composite_id\": \"b\", \"user_name\": \"jdoe\", \"severity\": 70}",
                "[]",
                "null",
                "{}",
                "{\"resources\": []}",
                "{\"resources\": [\"" + CrowdStrikeFixtures.ALERT_ID + "\"]}",
                edited(ALERT, a -> a.put("composite_id", "  ")),
                edited(ALERT, a -> a.put("composite_id", 42)),
                edited(ALERT, a -> {
                    a.remove("user_name");
                    a.remove("user_principal");
                    a.remove("user_id");
                }),
                edited(ALERT, a -> a.put("severity_name", "extreme")),
                edited(ALERT, a -> {
                    a.remove("severity_name");
                    a.put("severity", 250);
                }),
                edited(ALERT, a -> a.put("created_timestamp", "yesterday")),
                edited(EPP_EVENT, e -> ((ObjectNode) e.get("metadata"))
                        .put("eventType", "AuthActivityAuditEvent")),
                withEvent(EPP_EVENT, e -> e.remove("CompositeId")),
                edited(EPP_EVENT, e -> ((ObjectNode) e.get("metadata"))
                        .remove("eventCreationTime")));
    }

    private ConnectorConfig parse(Map<String, Object> raw) {
        return connector().configDef().parse(INSTANCE, raw, SecretResolver.of(environment()));
    }

    private Map<String, Object> with(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(validConfig());
        raw.putAll(changes);
        return raw;
    }

    @Test
    void declaresTheDocumentedFieldsAndDefaults() {
        assertThat(connector().id()).isEqualTo("crowdstrike");
        assertThat(connector().configDef().fields()).extracting(f -> f.name() + "=" + f.defaultValue())
                .containsExactly("auth=bearer", "webhook-secret=null", "max-body-bytes=1048576", "poll=false",
                        "base-url=https://api.crowdstrike.com", "client-id=null", "client-secret=null",
                        "poll-interval=1m", "poll-lookback=1h", "filter=null", "page-size=100", "timeout=10s",
                        "max-retries=3");
    }

    @Test
    void aPushOnlyInstanceHasNoPoller() {
        Source source = openSource();
        assertThat(source.poller()).isEmpty();
        assertThat(source.maxBodyBytes()).isEqualTo(1_048_576);
    }

    @Test
    void aPollingInstanceHasAPollerAtTheConfiguredInterval() {
        Source source = connector().open(INSTANCE, parse(with(Map.of("poll", "true", "client-id", CLIENT_ID,
                "client-secret", "${env:FALCON_CLIENT_SECRET}", "poll-interval", "30s"))));
        assertThat(source.poller()).hasValueSatisfying(p -> assertThat(p.interval()).isEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void pollingNeedsTheApiClientNamingBothFields() {
        assertThatThrownBy(() -> connector().open(INSTANCE, parse(with(Map.of("poll", "true")))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::field).containsExactlyInAnyOrder("client-id", "client-secret"));
    }

    @Test
    void pullSettingsOnAPushOnlyInstanceAreReported() {
        assertThatThrownBy(() -> connector().open(INSTANCE, parse(with(Map.of("client-id", CLIENT_ID,
                "client-secret", "${env:FALCON_CLIENT_SECRET}", "filter", "product:'idp'")))))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).extracting(ConfigError::field)
                            .containsExactlyInAnyOrder("client-id", "client-secret", "filter");
                    assertThat(e.getMessage()).contains("poll is false").doesNotContain(CLIENT_SECRET);
                });
    }

    @Test
    void openReportsEveryUnusableValueByField() {
        ConnectorConfig config = parse(with(Map.of(
                "auth", "basic",
                "max-body-bytes", "0",
                "base-url", "https://api.crowdstrike.com/alerts",
                "poll-interval", "0s",
                "poll-lookback", "-1h",
                "timeout", "0s",
                "page-size", "10001",
                "max-retries", "-1")));
        assertThatThrownBy(() -> connector().open(INSTANCE, config))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.scope()).isEqualTo(INSTANCE);
                    assertThat(e.errors()).extracting(ConfigError::field).containsExactlyInAnyOrder("auth",
                            "max-body-bytes", "base-url", "poll-interval", "poll-lookback", "timeout", "page-size",
                            "max-retries");
                    assertThat(e.getMessage()).contains("'basic'", "10001").doesNotContain(WEBHOOK_SECRET);
                });
    }

    @Test
    void aBaseUrlWithAQueryIsRefused() {
        assertThatThrownBy(() -> connector().open(INSTANCE, parse(with(Map.of("base-url",
                "https://api.eu-1.crowdstrike.com/?x=1")))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::field).containsExactly("base-url"));
    }

    @Test
    void aTrailingSlashOnTheBaseUrlIsDropped() {
        CrowdStrikeConfig config = CrowdStrikeFixtures.pollConfig("https://api.eu-1.crowdstrike.com/", Map.of());
        assertThat(config.poll()).hasValueSatisfying(p -> assertThat(p.url("/oauth2/token"))
                .hasToString("https://api.eu-1.crowdstrike.com/oauth2/token"));
    }

    @Test
    void hmacIsTheOtherAuth() {
        assertThat(CrowdStrikeFixtures.config(Map.of("auth", "HMAC")).auth()).isEqualTo(CrowdStrikeConfig.Auth.HMAC);
    }

    @Test
    void maxBodyBytesIsConfigurable() {
        assertThat(connector().open(INSTANCE, parse(with(Map.of("max-body-bytes", "65536")))).maxBodyBytes())
                .isEqualTo(65_536);
    }

    @Test
    void theConfigurationNeverPrintsTheSecrets() {
        String printed = parse(with(Map.of("poll", "true", "client-id", CLIENT_ID,
                "client-secret", "${env:FALCON_CLIENT_SECRET}"))).toString();
        assertThat(printed).contains("[secret]").doesNotContain(WEBHOOK_SECRET, CLIENT_SECRET);
    }
}
