package io.irhub.connector.testkit;

import io.irhub.connector.api.CheckResult;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a target's {@code check()} the way {@code irhub connectors check} does, and holds it to the secrets rules. */
public final class TargetChecks {
    private TargetChecks() {
    }

    /**
     * Opens {@code connector} with {@code raw} (secrets resolved from {@code environment}), runs its checks and asserts
     * that no secret of {@code environment}, and none of {@code alsoForbidden} (e.g. access tokens), appears in the
     * printed output or in any result.
     */
    public static List<CheckResult> run(TargetConnector connector, String instance, Map<String, Object> raw,
                                        Map<String, String> environment, String... alsoForbidden) {
        ConnectorConfig config = connector.configDef().parse(instance, raw, SecretResolver.of(environment));
        try (OutputCapture capture = OutputCapture.start();
             Target target = connector.open(instance, config, new ConnectorContext(Clock.systemUTC(), "irhub/test"))) {
            List<CheckResult> results = target.check();
            capture.assertContainsNone(environment.values());
            for (CheckResult result : results) {
                int i = 0;
                for (String secret : environment.values()) {
                    i++;
                    assertThat(result.message().contains(secret) || result.subject().contains(secret))
                            .as("secret #%d in the result for %s", i, result.subject()).isFalse();
                }
                for (String forbidden : alsoForbidden) {
                    assertThat(result.message()).as("no token in the message").doesNotContain(forbidden);
                }
            }
            return results;
        }
    }

    /** The result about {@code subject}; fails naming what there is when there is none. */
    public static CheckResult result(List<CheckResult> results, String subject) {
        return results.stream().filter(r -> r.subject().equals(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + subject + " in " + results));
    }
}
