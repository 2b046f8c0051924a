package io.irhub.routes.store;

/**
 * The result of walking the audit chain.
 *
 * @param valid    whether every chained row matches its hash and its predecessor, and the head matches the end
 * @param verified how many rows were checked before the first break (all of them when valid)
 * @param pending  rows written but not yet chained (normally only the last moment's)
 * @param problem  the first break, in words; {@code null} when valid
 */
public record AuditVerification(boolean valid, long verified, long pending, String problem) {
    static AuditVerification ok(long verified, long pending) {
        return new AuditVerification(true, verified, pending, null);
    }

    static AuditVerification broken(long verified, long pending, String problem) {
        return new AuditVerification(false, verified, pending, problem);
    }
}
