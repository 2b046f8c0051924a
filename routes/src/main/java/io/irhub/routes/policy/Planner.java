package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Signal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps a signal to a plan: the first matching policy's actions for each identity it acts on, then the guards.
 * Pure: the caller supplies how many automatic actions the blast-radius window already holds.
 */
public final class Planner {
    private final PolicySet policies;
    private final Clock clock;

    public Planner(PolicySet policies, Clock clock) {
        this.policies = policies;
        this.clock = clock;
    }

    public Guards guards() {
        return policies.guards();
    }

    public PlanDraft plan(Signal signal, int recentAutomaticActions) {
        Optional<Policy> match = policies.firstMatch(signal);
        if (match.isEmpty()) {
            return new PlanDraft(null, null, List.of("no policy matched"), List.of(), null);
        }
        Policy policy = match.get();
        Guards guards = policies.guards();
        Mode mode = policy.mode();
        List<String> reasons = new ArrayList<>();
        reasons.add("policy " + policy.name() + " matched (mode " + mode.wireName() + ")");
        if (mode == Mode.AUTO && !policy.irreversibleAllowed()
                && policy.actions().stream().anyMatch(a -> !a.verb().reversible())) {
            mode = Mode.APPROVAL;
            reasons.add("irreversible actions need approval (the policy does not say irreversible: allowed)");
        }

        Instant now = clock.instant();
        List<PlanDraft.DraftAction> actions = new ArrayList<>();
        int seq = 0;
        for (Identity identity : policy.identitiesActedOn(signal)) {
            Optional<String> protectedBy = guards.protectedBy(identity);
            protectedBy.ifPresent(entry -> reasons.add(identity.key() + " is a protected identity (" + entry + "): not touched"));
            for (Policy.Action a : policy.actions()) {
                if (!a.appliesTo(identity)) {
                    continue;
                }
                Instant expiresAt = a.expiresAfter() == null ? null : now.plus(a.expiresAfter());
                actions.add(new PlanDraft.DraftAction(seq++, a.verb(), a.target(), identity, expiresAt,
                        protectedBy.isPresent() ? PlanDraft.ActionState.BLOCKED : PlanDraft.ActionState.PENDING,
                        protectedBy.orElse(null)));
            }
        }

        long acting = actions.stream().filter(a -> a.state() == PlanDraft.ActionState.PENDING).count();
        if (mode == Mode.AUTO && guards.blastRadiusLimited() && recentAutomaticActions + acting > guards.maxActions()) {
            mode = Mode.APPROVAL;
            reasons.add("blast radius: " + recentAutomaticActions + " automatic actions in the last " + guards.window()
                    + " plus " + acting + " would exceed " + guards.maxActions() + "; approval required");
        }
        if (mode == Mode.APPROVAL) {
            actions.replaceAll(a -> a.state() == PlanDraft.ActionState.PENDING
                    ? new PlanDraft.DraftAction(a.seq(), a.verb(), a.target(), a.identity(), a.expiresAt(),
                    PlanDraft.ActionState.AWAITING_APPROVAL, null)
                    : a);
        }
        return new PlanDraft(policy.name(), mode, reasons, actions, mode == Mode.APPROVAL
                ? (policy.approval() != null ? policy.approval() : ApprovalPolicy.API_ONLY) : null);
    }
}
