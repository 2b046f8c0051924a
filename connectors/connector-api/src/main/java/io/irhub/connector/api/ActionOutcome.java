package io.irhub.connector.api;

import java.util.Map;
import java.util.Objects;

/**
 * What a target reports after an action.
 *
 * @param status    how it ended
 * @param targetRef the target's own id of the identity it acted on (an Okta user id), or {@code null}
 * @param message   a short human-readable sentence; never contains a secret
 * @param details   small structured facts for the audit record (status before and after, vendor error code)
 */
public record ActionOutcome(Status status, String targetRef, String message, Map<String, Object> details) {

    public enum Status {
        /** The change was made. */
        SUCCEEDED,
        /** The identity was already in the wanted state; nothing was changed. */
        ALREADY_DONE,
        /** The target refused (unknown identity, not allowed, wrong state); retrying will not help. */
        REFUSED,
        /** The call failed (network, 5xx after retries, rate limit outlasting the retry budget). */
        FAILED,
        /** Dry-run: everything but the target call was done. */
        DRY_RUN,
        /** A guard (protected identity) kept the hub from calling the target. */
        BLOCKED;

        /** Whether the identity is now in the state the action asked for (or was found so). */
        public boolean effective() {
            return this == SUCCEEDED || this == ALREADY_DONE;
        }
    }

    public ActionOutcome {
        Objects.requireNonNull(status, "status");
        details = Details.copyOf(details);
    }

    public static ActionOutcome succeeded(String targetRef, String message, Map<String, Object> details) {
        return new ActionOutcome(Status.SUCCEEDED, targetRef, message, details);
    }

    public static ActionOutcome alreadyDone(String targetRef, String message, Map<String, Object> details) {
        return new ActionOutcome(Status.ALREADY_DONE, targetRef, message, details);
    }

    public static ActionOutcome refused(String targetRef, String message, Map<String, Object> details) {
        return new ActionOutcome(Status.REFUSED, targetRef, message, details);
    }

    public static ActionOutcome failed(String targetRef, String message, Map<String, Object> details) {
        return new ActionOutcome(Status.FAILED, targetRef, message, details);
    }
}
