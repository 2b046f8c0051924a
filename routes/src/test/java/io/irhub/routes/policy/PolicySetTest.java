package io.irhub.routes.policy;

import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicySetTest {
    static final Map<String, Set<Verb>> TARGETS = Map.of("okta-main", Set.of(Verb.LOOKUP, Verb.SUSPEND, Verb.RESTORE, Verb.CLEAR_SESSIONS),
            "vault", Set.of(Verb.REVOKE));

    static final String YAML = """
            policies:
              - name: compromised-user
                match:
                  source: splunk-*
                  detection: "Compromised*"
                  min-severity: high
                  identity-kinds: [user]
                mode: auto
                actions:
                  - verb: suspend
                    target: okta-main
                    expires-after: 4h
                  - verb: clear-sessions
                    target: okta-main
              - name: anything-else-from-splunk
                match:
                  source: splunk
                  detection: "regex:^(Impossible travel|MFA fatigue).*$"
                mode: dry-run
                actions:
                  - verb: lookup
                    target: okta-main
            guards:
              protected-identities: ["breakglass@example.com", "regex:^admin-.*"]
              blast-radius:
                max-actions: 10
                window: 10m
            """;

    static Signal signal(String source, String detection, Severity severity, Identity... ids) {
        return new Signal(source, "splunk", "k", detection, severity, Instant.now(), List.of(ids), null, "{}");
    }

    @Test
    void loadsAndMatchesInOrder() {
        PolicySet set = PolicySet.from(PolicySet.read(YAML, "test"), TARGETS);
        assertThat(set.policies()).hasSize(2);
        assertThat(set.firstMatch(signal("splunk-prod", "Compromised account", Severity.CRITICAL, Identity.user("a"))))
                .get().extracting(Policy::name).isEqualTo("compromised-user");
        // below the severity threshold: falls through to the next policy, which does not match the name
        assertThat(set.firstMatch(signal("splunk-prod", "Compromised account", Severity.MEDIUM, Identity.user("a")))).isEmpty();
        // the glob is case-insensitive; the source matches the instance or the connector type
        assertThat(set.firstMatch(signal("other", "compromised ACCOUNT", Severity.HIGH, Identity.user("a")))).isEmpty();
        assertThat(set.firstMatch(signal("other", "MFA fatigue attack", Severity.LOW, Identity.user("a"))))
                .get().extracting(Policy::name).isEqualTo("anything-else-from-splunk");
        // identity kinds: a service account is not acted on by the user policy
        assertThat(set.firstMatch(signal("splunk-prod", "Compromised key", Severity.HIGH,
                new Identity(IdentityKind.SERVICE_ACCOUNT, "svc", null, null)))).isEmpty();
        assertThat(set.guards().maxActions()).isEqualTo(10);
        assertThat(set.guards().protectedBy(Identity.user("BreakGlass@example.com"))).contains("breakglass@example.com");
        assertThat(set.guards().protectedBy(Identity.user("admin-root"))).contains("regex:^admin-.*");
        assertThat(set.guards().protectedBy(Identity.user("alice"))).isEmpty();
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        String bad = """
                policies:
                  - name: p
                    match:
                      detection: "regex:([unclosed"
                      min-severity: extreme
                      identity-kinds: [robot]
                    mode: auto
                    actions:
                      - verb: suspend
                        target: okta-other
                      - verb: revoke
                        target: okta-main
                      - verb: lookup
                        target: okta-main
                        expires-after: 1h
                  - name: p
                    mode: approval
                    actions: []
                guards:
                  blast-radius:
                    max-actions: 0
                    window: soon
                """;
        assertThatThrownBy(() -> PolicySet.from(PolicySet.read(bad, "test"), TARGETS))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(err -> err.field())
                        .containsExactlyInAnyOrder(
                                "policies[0].match.detection", "policies[0].match.min-severity",
                                "policies[0].match.identity-kinds", "policies[0].actions[0].target",
                                "policies[0].actions[1].verb", "policies[0].actions[2].expires-after",
                                "policies[1].name", "policies[1].actions",
                                "guards.blast-radius.max-actions", "guards.blast-radius.window"));
    }

    @Test
    void unknownKeysAndBadModesAreRefused() {
        assertThatThrownBy(() -> PolicySet.read("policies:\n  - name: x\n    mood: auto\n", "policies.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mood").hasMessageContaining("policies.yaml");
        assertThatThrownBy(() -> PolicySet.read("policies:\n  - name: x\n    mode: yolo\n", "policies.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("yolo");
    }
}
