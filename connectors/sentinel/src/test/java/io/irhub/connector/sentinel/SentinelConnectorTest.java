package io.irhub.connector.sentinel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.SourceConnector;
import io.irhub.connector.testkit.SourceConnectorContract;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.irhub.connector.sentinel.SentinelFixtures.BEARER_TOKEN;
import static io.irhub.connector.sentinel.SentinelFixtures.INCIDENT_CREATE;
import static io.irhub.connector.sentinel.SentinelFixtures.bearerDelivery;
import static io.irhub.connector.sentinel.SentinelFixtures.edited;
import static io.irhub.connector.sentinel.SentinelFixtures.read;
import static io.irhub.connector.sentinel.SentinelFixtures.withProperties;
import static org.assertj.core.api.Assertions.assertThat;

/** The testkit's contract, for a push instance authenticated by a bearer token. */
class SentinelConnectorTest extends SourceConnectorContract {

    @Override
    protected SourceConnector connector() {
        return new SentinelConnector();
    }

    @Override
    protected Map<String, Object> validConfig() {
        return SentinelFixtures.bearerConfig();
    }

    @Override
    protected Map<String, String> environment() {
        return SentinelFixtures.ENVIRONMENT;
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("bearer-token", "hmac-secret", "client-secret");
    }

    @Override
    protected InboundRequest validDelivery() {
        return bearerDelivery(BEARER_TOKEN, read(INCIDENT_CREATE));
    }

    @Override
    protected InboundRequest wronglyAuthenticatedDelivery() {
        return bearerDelivery("sntl-bearer-not-the-configured-one", read(INCIDENT_CREATE));
    }

    @Override
    protected List<String> malformedBodies() {
        return List.of(
                "",
                "objectSchemaType=Incident",
                "{\"objectSchemaType\": \"Incident\", \"object\": {",
                "{\"objectSchemaType\": \"Incident\"} trailing",
                "[]",
                "null",
                "{}",
                edited(INCIDENT_CREATE, root -> root.put("objectSchemaType", "Alert")),
                edited(INCIDENT_CREATE, root -> root.remove("object")),
                edited(INCIDENT_CREATE, root -> ((ObjectNode) root.get("object")).remove("properties")),
                edited(INCIDENT_CREATE, root -> ((ObjectNode) root.get("object")).remove(List.of("name", "id"))),
                withProperties(INCIDENT_CREATE, p -> p.put("severity", "Severe")),
                withProperties(INCIDENT_CREATE, p -> p.remove("severity")),
                withProperties(INCIDENT_CREATE, p -> p.put("createdTimeUtc", "yesterday")),
                withProperties(INCIDENT_CREATE, p -> p.putArray("relatedEntities")),
                withProperties(INCIDENT_CREATE, p -> p.put("relatedEntities", "alice@contoso.com")),
                withProperties(INCIDENT_CREATE, p -> p.putObject("title")));
    }

    @Test
    void declaresTheDocumentedFieldsAndDefaults() {
        assertThat(connector().id()).isEqualTo("sentinel");
        assertThat(connector().configDef().fields()).extracting(f -> f.name() + "=" + f.defaultValue())
                .containsExactly("auth=null", "bearer-token=null", "hmac-secret=null",
                        "act-on-severity-increase=false", "max-body-bytes=4194304", "poll=false", "tenant-id=null",
                        "client-id=null", "client-secret=null", "graph-base-url=https://graph.microsoft.com",
                        "login-base-url=https://login.microsoftonline.com", "poll-interval=1m", "poll-lookback=1h",
                        "timeout=10s", "max-retries=3");
        assertThat(connector().configDef().fields()).filteredOn(ConfigField::required).extracting(ConfigField::name)
                .containsExactly("auth");
    }

    @Test
    void aPushInstanceHasNoPoller() {
        assertThat(openSource().poller()).isEmpty();
        assertThat(openSource().maxBodyBytes()).isEqualTo(4 * 1024 * 1024);
    }

    @Test
    void theConfigurationNeverPrintsTheToken() {
        assertThat(parsedConfig().toString()).contains("[secret]").doesNotContain(BEARER_TOKEN);
    }
}
