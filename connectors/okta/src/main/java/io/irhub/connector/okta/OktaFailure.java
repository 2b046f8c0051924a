package io.irhub.connector.okta;

import io.irhub.connector.api.ActionOutcome;

import java.util.Map;

/**
 * Ends an action early with the outcome it maps to: a refused token, an Okta error answer, retries or the rate-limit
 * budget used up. Thrown inside the connector only; {@link OktaTarget} turns it into an {@link ActionOutcome}, so
 * the message must never contain a credential.
 */
final class OktaFailure extends Exception {
    private final ActionOutcome.Status status;
    private final Map<String, Object> details;

    private OktaFailure(ActionOutcome.Status status, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    /** Okta said no; trying again will not help. */
    static OktaFailure refused(String message, Map<String, Object> details) {
        return new OktaFailure(ActionOutcome.Status.REFUSED, message, details);
    }

    /** Okta could not be reached or did not answer in time. */
    static OktaFailure failed(String message, Map<String, Object> details) {
        return new OktaFailure(ActionOutcome.Status.FAILED, message, details);
    }

    /** What Okta answered: {@code http_status}, and {@code oauth_error} when a token was refused; no credential. */
    Map<String, Object> details() {
        return details;
    }

    ActionOutcome outcome(String targetRef) {
        return new ActionOutcome(status, targetRef, getMessage(), details);
    }
}
