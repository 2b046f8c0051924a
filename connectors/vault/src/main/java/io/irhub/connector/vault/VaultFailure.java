package io.irhub.connector.vault;

import io.irhub.connector.api.ActionOutcome;

import java.util.Map;

/**
 * Ends an action early with the outcome it maps to: a refused login, a Vault error answer, retries used up. Thrown
 * inside the connector only; {@link VaultTarget} turns it into an {@link ActionOutcome}, so the message must never
 * contain a credential or a secret value.
 */
final class VaultFailure extends Exception {
    private final ActionOutcome.Status status;
    private final Map<String, Object> details;

    private VaultFailure(ActionOutcome.Status status, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    /** Vault said no; trying again will not help. */
    static VaultFailure refused(String message, Map<String, Object> details) {
        return new VaultFailure(ActionOutcome.Status.REFUSED, message, details);
    }

    /** Vault could not be reached, did not answer in time, or was sealed or rate-limited throughout. */
    static VaultFailure failed(String message, Map<String, Object> details) {
        return new VaultFailure(ActionOutcome.Status.FAILED, message, details);
    }

    /** {@code REFUSED} when Vault said no, {@code FAILED} when it could not be asked (or a token file read). */
    ActionOutcome.Status status() {
        return status;
    }

    ActionOutcome outcome(String targetRef) {
        return new ActionOutcome(status, targetRef, getMessage(), details);
    }
}
