package io.irhub.connector.api;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One action on one identity at one target instance.
 *
 * @param actionId        the hub's id of this action
 * @param correlationId   shared by the signal, its plan and all its actions
 * @param verb            what to do
 * @param targetInstance  the configured target instance ({@code okta-main})
 * @param identity        whom to do it to
 * @param idempotencyKey  the same for every attempt of this action; a target may pass it on to the vendor
 * @param expiresAt       for a suspend: when it is to be restored unless confirmed; else {@code null}
 */
public record ActionRequest(UUID actionId, UUID correlationId, Verb verb, String targetInstance,
                            Identity identity, String idempotencyKey, Instant expiresAt) {

    public ActionRequest {
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(targetInstance, "targetInstance");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    }
}
