package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import static io.irhub.routes.policy.PolicySetTest.signal;
import static org.assertj.core.api.Assertions.assertThat;

class PlannerTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static Planner planner(String yaml) {
        return new Planner(PolicySet.from(PolicySet.read(yaml, "test"), Map.of(
                "okta-main", Set.of(Verb.LOOKUP, Verb.SUSPEND, Verb.RESTORE, Verb.CLEAR_SESSIONS), "vault", Set.of(Verb.REVOKE))),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void autoPolicyPlansEachActionForEachIdentity() {
        PlanDraft d = planner(PolicySetTest.YAML).plan(signal("splunk-prod", "Compromised account", Severity.HIGH,
                Identity.user("alice@example.com"), Identity.user("bob@example.com")), 0);
        assertThat(d.policy()).isEqualTo("compromised-user");
        assertThat(d.mode()).isEqualTo(Mode.AUTO);
        assertThat(d.planState()).isEqualTo("dispatching");
        assertThat(d.actions()).extracting(a -> a.verb() + " " + a.identity().login() + " " + a.state())
                .containsExactly("SUSPEND alice@example.com PENDING", "CLEAR_SESSIONS alice@example.com PENDING",
                        "SUSPEND bob@example.com PENDING", "CLEAR_SESSIONS bob@example.com PENDING");
        assertThat(d.actions().get(0).expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(4)));
        assertThat(d.actions().get(1).expiresAt()).isNull();
    }

    @Test
    void protectedIdentitiesAreBlockedNotActedOn() {
        PlanDraft d = planner(PolicySetTest.YAML).plan(signal("splunk-prod", "Compromised account", Severity.HIGH,
                Identity.user("breakglass@example.com"), Identity.user("alice@example.com")), 0);
        assertThat(d.actions()).filteredOn(a -> a.identity().login().equals("breakglass@example.com"))
                .hasSize(2).allSatisfy(a -> {
                    assertThat(a.state()).isEqualTo(PlanDraft.ActionState.BLOCKED);
                    assertThat(a.blockedBy()).isEqualTo("breakglass@example.com");
                });
        assertThat(d.actions()).filteredOn(a -> a.state() == PlanDraft.ActionState.PENDING).hasSize(2);
        assertThat(d.reasons()).anyMatch(r -> r.contains("protected identity"));
    }

    @Test
    void blastRadiusTurnsAutoIntoApproval() {
        Planner p = planner(PolicySetTest.YAML);
        PlanDraft under = p.plan(signal("splunk-prod", "Compromised account", Severity.HIGH, Identity.user("a")), 8);
        assertThat(under.mode()).isEqualTo(Mode.AUTO);
        PlanDraft over = p.plan(signal("splunk-prod", "Compromised account", Severity.HIGH, Identity.user("a")), 9);
        assertThat(over.mode()).isEqualTo(Mode.APPROVAL);
        assertThat(over.planState()).isEqualTo("awaiting-approval");
        assertThat(over.actions()).allSatisfy(a -> assertThat(a.state()).isEqualTo(PlanDraft.ActionState.AWAITING_APPROVAL));
        assertThat(over.reasons()).anyMatch(r -> r.startsWith("blast radius"));
    }

    @Test
    void irreversibleActionsNeedApprovalUnlessAllowed() {
        String yaml = """
                policies:
                  - name: leaked-token
                    mode: auto
                    actions: [{verb: revoke, target: vault}]
                """;
        assertThat(planner(yaml).plan(signal("s", "d", Severity.LOW, Identity.user("t")), 0).mode()).isEqualTo(Mode.APPROVAL);
        assertThat(planner(yaml.replace("mode: auto", "mode: auto\n    irreversible: allowed"))
                .plan(signal("s", "d", Severity.LOW, Identity.user("t")), 0).mode()).isEqualTo(Mode.AUTO);
    }

    @Test
    void actionsCanNarrowTheIdentityKinds() {
        String yaml = """
                policies:
                  - name: contain-person-and-token
                    mode: auto
                    irreversible: allowed
                    actions:
                      - {verb: suspend, target: okta-main, identity-kinds: [user]}
                      - {verb: revoke, target: vault, identity-kinds: [api-token]}
                """;
        PlanDraft d = planner(yaml).plan(signal("s", "d", Severity.HIGH, Identity.user("alice@example.com"),
                new Identity(io.irhub.connector.api.IdentityKind.API_TOKEN, null, null, "accessor-1")), 0);
        assertThat(d.mode()).isEqualTo(Mode.AUTO);
        assertThat(d.actions()).extracting(a -> a.verb() + " " + a.identity().name())
                .containsExactly("SUSPEND alice@example.com", "REVOKE accessor-1");
    }

    @Test
    void noMatchMakesAnEmptyPlan() {
        PlanDraft d = planner(PolicySetTest.YAML).plan(signal("crowdstrike", "Malware", Severity.CRITICAL, Identity.user("a")), 0);
        assertThat(d.matched()).isFalse();
        assertThat(d.planState()).isEqualTo("no-match");
        assertThat(d.actions()).isEmpty();
    }
}
