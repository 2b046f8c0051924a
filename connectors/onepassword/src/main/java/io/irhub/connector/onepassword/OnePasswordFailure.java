package io.irhub.connector.onepassword;

import io.irhub.connector.api.ActionOutcome;

import java.util.Map;

/**
 * Ends an action early with the outcome it maps to: a refused token, a 1Password error answer, retries or the
 * rate-limit budget used up. Thrown inside the connector only; {@link OnePasswordTarget} turns it into an
 * {@link ActionOutcome}, so the message must never contain a credential.
 */
final class OnePasswordFailure extends Exception {
    private final ActionOutcome.Status status;
    private final Map<String, Object> details;

    private OnePasswordFailure(ActionOutcome.Status status, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    /** 1Password said no; trying again will not help. */
    static OnePasswordFailure refused(String message, Map<String, Object> details) {
        return new OnePasswordFailure(ActionOutcome.Status.REFUSED, message, details);
    }

    /** 1Password could not be reached, did not answer in time, or answered something unreadable. */
    static OnePasswordFailure failed(String message, Map<String, Object> details) {
        return new OnePasswordFailure(ActionOutcome.Status.FAILED, message, details);
    }

    ActionOutcome outcome(String targetRef) {
        return new ActionOutcome(status, targetRef, getMessage(), details);
    }
}
