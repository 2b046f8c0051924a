package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A compiled policy: what it matches and the actions it plans.
 *
 * @param source              matches the source instance name or its connector type; {@code null} matches any
 * @param detection           matches the detection name; {@code null} matches any
 * @param minSeverity         the lowest severity that matches
 * @param identityKinds       the identity kinds acted on; empty means all
 * @param irreversibleAllowed whether irreversible verbs may run without approval in {@code auto} mode
 * @param approval            who decides this policy's plans when they need approval ({@code null}: nobody is
 *                            configured, the plan waits visibly)
 */
public record Policy(String name, NameMatcher source, NameMatcher detection, Severity minSeverity,
                     Set<IdentityKind> identityKinds, Mode mode, boolean irreversibleAllowed, List<Action> actions,
                     ApprovalPolicy approval) {

    /** @param identityKinds the kinds this action applies to; empty means every kind the policy acts on */
    public record Action(Verb verb, String target, Duration expiresAfter, Set<IdentityKind> identityKinds) {
        public boolean appliesTo(Identity identity) {
            return identityKinds.isEmpty() || identityKinds.contains(identity.kind());
        }
    }

    public boolean matches(Signal s) {
        return (source == null || source.matches(s.sourceInstance()) || source.matches(s.sourceType()))
                && (detection == null || detection.matches(s.detection()))
                && s.severity().atLeast(minSeverity)
                && !identitiesActedOn(s).isEmpty();
    }

    public List<Identity> identitiesActedOn(Signal s) {
        return s.identities().stream().filter(i -> identityKinds.isEmpty() || identityKinds.contains(i.kind())).toList();
    }
}
