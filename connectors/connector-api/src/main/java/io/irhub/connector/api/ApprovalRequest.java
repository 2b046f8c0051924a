package io.irhub.connector.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A plan waiting for a decision, as shown to approvers.
 *
 * @param planId        carried by the Approve and Deny controls
 * @param detection     untrusted text from the source
 * @param link          a link back to the detection in the source (untrusted), or {@code null}
 * @param policy        the policy that proposed the plan
 * @param reasons       why approval is needed (mode, guards)
 * @param deadline      when the request expires undecided
 * @param approvalsNeeded how many distinct approvers must approve (2 for irreversible actions where configured)
 */
public record ApprovalRequest(UUID planId, UUID correlationId, String sourceInstance, String detection,
                              Severity severity, String link, String policy, List<ProposedAction> actions,
                              List<String> reasons, Instant deadline, int approvalsNeeded) {

    public ApprovalRequest {
        actions = List.copyOf(actions);
        reasons = List.copyOf(reasons);
    }

    /** One action the plan would take. */
    public record ProposedAction(Verb verb, String target, Identity identity) {
        public boolean irreversible() {
            return !verb.reversible();
        }
    }
}
