package io.irhub.connector.splunk;

import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.SourceConnector;
import io.irhub.connector.testkit.SourceConnectorContract;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.irhub.connector.splunk.SplunkFixtures.COMPROMISED_USER;
import static io.irhub.connector.splunk.SplunkFixtures.DOCS_EXAMPLE;
import static io.irhub.connector.splunk.SplunkFixtures.TOKEN;
import static io.irhub.connector.splunk.SplunkFixtures.delivery;
import static io.irhub.connector.splunk.SplunkFixtures.edited;
import static io.irhub.connector.splunk.SplunkFixtures.read;
import static io.irhub.connector.splunk.SplunkFixtures.withResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplunkConnectorTest extends SourceConnectorContract {

    @Override
    protected SourceConnector connector() {
        return new SplunkConnector();
    }

    @Override
    protected Map<String, Object> validConfig() {
        return Map.of("token", "${env:SPLUNK_TOKEN}");
    }

    @Override
    protected Map<String, String> environment() {
        return SplunkFixtures.ENVIRONMENT;
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("token");
    }

    @Override
    protected InboundRequest validDelivery() {
        return delivery(TOKEN, read(COMPROMISED_USER));
    }

    @Override
    protected InboundRequest wronglyAuthenticatedDelivery() {
        return delivery("4b7e2d90-not-the-configured-token-1c3a", read(COMPROMISED_USER));
    }

    @Override
    protected List<String> malformedBodies() {
        return List.of(
                "",
                "sid=abc&search_name=x",
                "{\"sid\": \"abc\", \"result\": {\"user\": \"alice\"",
                "{\"sid\": \"abc\", \"result\": {\"user\": \"alice\"}} trailing",
                "{\"sid\": \"a\", \"sid\": \"b\", \"result\": {\"user\": \"alice\"}}",
                "[]",
                "null",
                "{}",
                edited(COMPROMISED_USER, alert -> alert.put("sid", "  ")),
                edited(COMPROMISED_USER, alert -> alert.put("sid", 42)),
                edited(COMPROMISED_USER, alert -> alert.remove("result")),
                edited(COMPROMISED_USER, alert -> alert.put("result", "user=alice")),
                edited(COMPROMISED_USER, alert -> alert.putArray("search_name")),
                withResult(COMPROMISED_USER, result -> result.put("severity", "extreme")),
                withResult(COMPROMISED_USER, result -> result.put("_time", "yesterday")),
                read(DOCS_EXAMPLE));
    }

    @Test
    void declaresTheDocumentedFieldsAndDefaults() {
        assertThat(connector().id()).isEqualTo("splunk");
        assertThat(connector().configDef().fields()).extracting(f -> f.name() + "=" + f.defaultValue())
                .containsExactly("token=null", "identity-fields=user,src_user,email", "identity-kind=user",
                        "severity-fields=severity,urgency", "default-severity=medium", "time-field=_time",
                        "max-body-bytes=1048576");
    }

    @Test
    void maxBodyBytesIsConfigurable() {
        assertThat(openSource().maxBodyBytes()).isEqualTo(1_048_576);
        assertThat(connector().open(INSTANCE, connector().configDef().parse(INSTANCE,
                Map.of("token", "${env:SPLUNK_TOKEN}", "max-body-bytes", "65536"),
                SecretResolver.of(environment()))).maxBodyBytes()).isEqualTo(65_536);
    }

    @Test
    void openReportsEveryUnusableValueByField() {
        var config = connector().configDef().parse(INSTANCE, Map.of(
                "token", "${env:SPLUNK_TOKEN}",
                "identity-kind", "robot",
                "default-severity", "dire",
                "identity-fields", List.of(" "),
                "max-body-bytes", "0"), SecretResolver.of(environment()));
        assertThatThrownBy(() -> connector().open(INSTANCE, config))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.scope()).isEqualTo(INSTANCE);
                    assertThat(e.errors()).extracting(ConfigError::field).containsExactlyInAnyOrder(
                            "identity-kind", "default-severity", "identity-fields", "max-body-bytes");
                    assertThat(e.getMessage()).contains("'robot'", "'dire'").doesNotContain(TOKEN);
                });
    }

    @Test
    void theConfigurationNeverPrintsTheToken() {
        assertThat(SplunkFixtures.config(Map.of()).toString()).contains("[secret]").doesNotContain(TOKEN);
    }
}
