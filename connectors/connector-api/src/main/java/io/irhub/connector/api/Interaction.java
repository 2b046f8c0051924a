package io.irhub.connector.api;

import java.util.UUID;

/**
 * An authenticated click on Approve or Deny.
 *
 * @param planId      the plan id the control carried
 * @param approve     Approve ({@code true}) or Deny
 * @param userId      the channel's user id of the person who clicked (Slack {@code U…})
 * @param userName    their name as the channel reports it
 * @param teamId      their workspace
 * @param message     the message the click came from
 * @param replyTo     where to answer only this person (Slack's {@code response_url}); not a secret, but not logged
 */
public record Interaction(UUID planId, boolean approve, String userId, String userName, String teamId,
                          MessageRef message, String replyTo) {

    @Override
    public String toString() {
        return "Interaction[plan " + planId + (approve ? " approve" : " deny") + " by " + userId + "]";
    }
}
