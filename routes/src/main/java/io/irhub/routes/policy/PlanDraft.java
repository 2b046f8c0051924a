package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Verb;

import java.time.Instant;
import java.util.List;

/**
 * What the planner decided for one signal, before it is stored.
 *
 * @param policy  the policy that matched, or {@code null}
 * @param mode    the mode after guards (a blast-radius overflow turns {@code auto} into {@code approval})
 * @param reasons guard and policy decisions in words, for the audit record and the approver
 */
public record PlanDraft(String policy, Mode mode, List<String> reasons, List<DraftAction> actions) {

    public enum ActionState {
        PENDING("pending"), AWAITING_APPROVAL("awaiting-approval"), BLOCKED("blocked");

        public final String wire;

        ActionState(String wire) {
            this.wire = wire;
        }
    }

    /**
     * @param blockedBy the protected-identities entry that blocks it, or {@code null}
     */
    public record DraftAction(int seq, Verb verb, String target, Identity identity, Instant expiresAt,
                              ActionState state, String blockedBy) {
    }

    public boolean matched() {
        return policy != null;
    }

    public String planState() {
        if (!matched()) {
            return "no-match";
        }
        if (mode == Mode.APPROVAL && actions.stream().anyMatch(a -> a.state() == ActionState.AWAITING_APPROVAL)) {
            return "awaiting-approval";
        }
        return actions.stream().anyMatch(a -> a.state() == ActionState.PENDING) ? "dispatching" : "completed";
    }
}
