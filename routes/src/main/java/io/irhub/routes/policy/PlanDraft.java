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
 * @param reasons  guard and policy decisions in words, for the audit record and the approver
 * @param approval who decides, when the plan awaits approval and the policy names approvers; else {@code null}
 */
public record PlanDraft(String policy, Mode mode, List<String> reasons, List<DraftAction> actions,
                        ApprovalPolicy approval) {

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

    /** How many distinct approvers the plan needs. */
    public int approvalsNeeded() {
        return approval != null && approval.twoPersonForIrreversible()
                && actions.stream().anyMatch(a -> !a.verb().reversible()) ? 2 : 1;
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
