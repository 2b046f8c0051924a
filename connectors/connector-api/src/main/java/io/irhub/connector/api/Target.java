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

    /**
     * Checks, without changing anything, that each capability's credential works and carries what the capability
     * needs (a token is obtained with the expected scopes or policies; the base URL answers). Makes real calls to
     * the vendor's read or token endpoints only.
     */
    java.util.List<CheckResult> check();

    @Override
    default void close() {
    }
}
