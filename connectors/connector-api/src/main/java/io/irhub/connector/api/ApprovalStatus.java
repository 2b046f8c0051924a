package io.irhub.connector.api;

import java.time.Instant;
import java.util.List;

/**
 * What became of an approval request, for the message update.
 *
 * @param state     {@code awaiting-approval} (one of two approvals given), {@code approved}, {@code denied} or
 *                  {@code expired}
 * @param decisions who decided what, in order
 * @param outcomes  one line per action once carried out ({@code suspend user:alice@example.com on okta-main: succeeded})
 */
public record ApprovalStatus(String state, List<Decision> decisions, List<String> outcomes) {

    public ApprovalStatus {
        decisions = List.copyOf(decisions);
        outcomes = List.copyOf(outcomes);
    }

    /** One person's decision. */
    public record Decision(String userId, String userName, boolean approved, Instant at) {
    }
}
