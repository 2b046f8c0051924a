package io.irhub.connector.api;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One step the hub took, as recorded in the audit store. Rows are hash-chained by the store.
 *
 * @param at                when it happened
 * @param correlationId     shared by a signal, its plan, approvals, actions and restores ({@code null} only for
 *                          refused requests that never became a signal)
 * @param stage             which step
 * @param actor             who took the step: a policy name, a person, {@code intake}, {@code dispatch}
 * @param connectorInstance the source or target instance involved, or {@code null}
 * @param identity          the identity key involved ({@link Identity#key()}), or {@code null}
 * @param outcome           a short word: accepted, duplicate, refused, planned, succeeded, ...
 * @param details           structured facts; never a secret
 */
public record AuditEvent(Instant at, UUID correlationId, Stage stage, String actor, String connectorInstance,
                         String identity, String outcome, Map<String, Object> details) {

    public enum Stage {
        SIGNAL_ACCEPTED, SIGNAL_REFUSED, SIGNAL_DUPLICATE, PLAN, GUARD, APPROVAL, ACTION_INTENT, ACTION_OUTCOME,
        RESTORE_REQUESTED, CONFIRMED, API_CALL, SOURCE_POLL, TARGET_CIRCUIT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(outcome, "outcome");
        details = Details.copyOf(details);
    }
}
