package io.irhub.connector.api;

/** One configured target instance. */
public interface Target extends AutoCloseable {

    String instance();

    /**
     * Performs one action. Reads the identity's state first where the vendor's call is not idempotent, so that a
     * retried action makes one change. Vendor errors are mapped to an {@link ActionOutcome}, not thrown; the
     * outcome's message and details never contain a credential.
     */
    ActionOutcome execute(ActionRequest request);

    @Override
    default void close() {
    }
}
