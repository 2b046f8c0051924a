package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may decide a plan, where it is posted, how long it waits and what its silence means.
 *
 * @param onTimeoutApprove whether an undecided plan is carried out at its deadline (default: it is denied)
 */
public record ApprovalPolicy(String channel, List<Approver> approvers, boolean twoPersonForIrreversible,
                             Duration timeout, boolean onTimeoutApprove) {

    /** No channel and no approvers: the plan waits, visible, for an operator to decide it through the API. */
    public static final ApprovalPolicy API_ONLY = new ApprovalPolicy(null, List.of(), false, Duration.ofHours(24), false);

    /** A person who may decide: their id in the channel, and their login where it is known. */
    public record Approver(String id, String login) {
    }

    public Optional<Approver> approver(String userId) {
        return approvers.stream().filter(a -> a.id().equals(userId)).findFirst();
    }

    /** Whether this approver is one of the identities the plan acts on. */
    public static boolean isSelf(Approver approver, List<Identity> identities) {
        if (approver.login() == null) {
            return false;
        }
        String login = approver.login().toLowerCase(Locale.ROOT);
        return identities.stream().anyMatch(i -> login.equalsIgnoreCase(i.login() == null ? "" : i.login())
                || login.equalsIgnoreCase(i.email() == null ? "" : i.email()));
    }
}
