package io.irhub.connector.scim;

import io.irhub.connector.api.ActionOutcome;

import java.util.Map;

/**
 * Ends an action early with the outcome it maps to: a SCIM error answer, an ambiguous or fruitless lookup, retries or
 * the rate-limit budget used up. Thrown inside the connector only; {@link ScimTarget} turns it into an
 * {@link ActionOutcome}, so the message must never contain a token.
 */
final class ScimFailure extends Exception {
    private final ActionOutcome.Status status;
    private final Map<String, Object> details;

    private ScimFailure(ActionOutcome.Status status, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    /** The server said no, or the identity cannot be told apart; trying again will not help. */
    static ScimFailure refused(String message, Map<String, Object> details) {
        return new ScimFailure(ActionOutcome.Status.REFUSED, message, details);
    }

    /** The server could not be reached, did not answer in time, or kept answering 429 or 5xx. */
    static ScimFailure failed(String message, Map<String, Object> details) {
        return new ScimFailure(ActionOutcome.Status.FAILED, message, details);
    }

    ActionOutcome outcome(String targetRef) {
        return new ActionOutcome(status, targetRef, getMessage(), details);
    }
}
