package io.irhub.runtime;

import io.irhub.connector.api.Connectors;
import io.irhub.routes.policy.PolicySet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The example configuration the README points at loads: its connectors open and its policies compile. */
class ExampleConfigTest {

    @Test
    void theExampleConfigurationIsValid() {
        Path file = Path.of("..", "examples", "irhub.yaml");
        OktaStandIn keys = new OktaStandIn();
        try {
            Hub hub = new Hub(IrhubConfig.read(file), file.toAbsolutePath().getParent(), Map.of(
                    "SPLUNK_TOKEN", "example-token",
                    "OKTA_LOOKUP_KEY", OktaStandIn.pem(keys.lookupKey),
                    "OKTA_SUSPEND_KEY", OktaStandIn.pem(keys.suspendKey)));
            Hub.Instances instances = hub.openInstances(Connectors.discover());
            assertThat(instances.sources()).containsOnlyKeys("splunk-prod");
            assertThat(instances.targets()).containsOnlyKeys("okta-main");
            PolicySet policies = hub.policies(instances.capabilities());
            assertThat(policies.policies()).extracting(p -> p.name())
                    .containsExactly("compromised-account", "everything-else-from-splunk");
            assertThat(policies.guards().maxActions()).isEqualTo(50);
        } finally {
            keys.close();
        }
    }
}
