package io.irhub.connector.sentinel;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.Source;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.irhub.connector.sentinel.SentinelFixtures.CLIENT_SECRET;
import static io.irhub.connector.sentinel.SentinelFixtures.TENANT_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Combinations of fields that parse one by one but cannot be used together, refused at open() naming the fields. */
class SentinelConfigTest {

    private static Source open(Map<String, Object> raw) {
        return new SentinelConnector().open("sentinel-prod", SentinelFixtures.parse(raw));
    }

    private static void assertRefused(Map<String, Object> raw, String... fields) {
        assertThatThrownBy(() -> open(raw)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.scope()).isEqualTo("sources.sentinel-prod");
            assertThat(e.errors()).extracting(ConfigError::field).containsExactlyInAnyOrder(fields);
            assertThat(e.getMessage()).doesNotContain(SentinelFixtures.ENVIRONMENT.values());
        });
    }

    private static Map<String, Object> poll(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(SentinelFixtures.pollConfig("https://graph.microsoft.com"));
        raw.put("login-base-url", "https://login.microsoftonline.com");
        raw.putAll(changes);
        return raw;
    }

    @Test
    void bearerNeedsABearerToken() {
        assertRefused(Map.of("auth", "bearer"), "bearer-token");
    }

    @Test
    void hmacNeedsAnHmacSecret() {
        assertRefused(Map.of("auth", "hmac", "bearer-token", "${env:SENTINEL_BEARER_TOKEN}"), "hmac-secret");
    }

    @Test
    void authOffWithoutPollingWouldReceiveNothing() {
        assertRefused(Map.of("auth", "off"), "auth");
    }

    @Test
    void anUnknownAuthIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> open(Map.of("auth", "basic")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth: 'basic' is not bearer, hmac or off");
    }

    @Test
    void pollingNeedsTenantClientAndSecret() {
        assertRefused(Map.of("auth", "bearer", "bearer-token", "${env:SENTINEL_BEARER_TOKEN}", "poll", "true"),
                "tenant-id", "client-id", "client-secret");
        Map<String, Object> noSecret = poll(Map.of());
        noSecret.remove("client-secret");
        assertRefused(noSecret, "client-secret");
    }

    @Test
    void everyUnusableGraphValueIsReportedAtOnce() {
        assertRefused(poll(Map.of(
                        "tenant-id", "contoso.com/../common",
                        "graph-base-url", "https://graph.microsoft.com/?x=1",
                        "poll-interval", "0s",
                        "poll-lookback", "PT-1H",
                        "timeout", "0s",
                        "max-retries", "-1",
                        "max-body-bytes", "0")),
                "tenant-id", "graph-base-url", "poll-interval", "poll-lookback", "timeout", "max-retries",
                "max-body-bytes");
    }

    @Test
    void withoutPollingTheGraphFieldsAreNotChecked() {
        assertThat(open(Map.of("auth", "bearer", "bearer-token", "${env:SENTINEL_BEARER_TOKEN}", "tenant-id", "a/b"))
                .poller()).isEmpty();
    }

    @Test
    void aPollingInstanceOffersAPollerAtTheConfiguredInterval() {
        Source source = open(poll(Map.of("poll-interval", "5m")));
        assertThat(source.poller()).get().satisfies(p -> assertThat(p.interval()).isEqualTo(Duration.ofMinutes(5)));
        assertThat(open(poll(Map.of())).poller().orElseThrow().interval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theTokenUrlIsTheTenantsV2EndpointAndTrailingSlashesAreDropped() {
        SentinelConfig config = SentinelFixtures.config(poll(Map.of(
                "login-base-url", "https://login.microsoftonline.com/",
                "graph-base-url", "https://graph.microsoft.com//")));
        assertThat(config.graph().orElseThrow().tokenUrl())
                .isEqualTo(URI.create("https://login.microsoftonline.com/" + TENANT_ID + "/oauth2/v2.0/token"));
        assertThat(config.graph().orElseThrow().graphBaseUrl()).isEqualTo(URI.create("https://graph.microsoft.com"));
    }

    @Test
    void theConfigurationNeverPrintsTheClientSecret() {
        assertThat(SentinelFixtures.parse(poll(Map.of())).toString()).doesNotContain(CLIENT_SECRET);
        assertThat(SentinelFixtures.config(poll(Map.of())).toString()).doesNotContain(CLIENT_SECRET);
    }
}
