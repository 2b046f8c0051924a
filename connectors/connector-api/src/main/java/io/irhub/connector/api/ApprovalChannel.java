package io.irhub.connector.api;

/**
 * One configured approval channel instance (a Slack workspace and channel). The hub decides who may approve; the
 * channel shows the request, proves where a click came from, and shows the decision.
 */
public interface ApprovalChannel {

    String instance();

    /**
     * Posts the request with Approve and Deny controls carrying the plan id. Untrusted text from the detection is
     * escaped so it can neither mention people nor disguise links.
     *
     * @throws ApprovalChannelException when the channel did not take the message (the hub retries)
     */
    MessageRef post(ApprovalRequest request);

    /** Replaces the posted message with the request's current state (decision, expiry, outcomes). */
    void update(MessageRef message, ApprovalRequest request, ApprovalStatus status);

    /**
     * Authenticates an interaction callback (signature and freshness, in constant time) and reads the decision.
     *
     * @throws InvalidPayloadException naming what is wrong when the callback is forged, stale or malformed
     */
    Interaction interaction(InboundRequest request) throws InvalidPayloadException;

    /** Tells only the person who clicked (Slack: an ephemeral message through the interaction's response URL). */
    void tell(Interaction interaction, String text);
}
