package io.irhub.routes;

/**
 * The in-process bus between the pipeline's stages. Every message on it is a reference to a row that is already
 * committed, so a message lost with the process is found again by {@link PipelineRoutes}' recovery.
 */
public final class Bus {
    /** Accepted signals ({@code PipelineStore.Accepted}), each put onto its planning partition by its order key. */
    public static final String SIGNALS = "direct:irhub-signals";
    /** Audit events that go with no other change (refused deliveries), wire-tapped here. */
    public static final String AUDIT = "seda:irhub-audit?size=10000&waitForTaskToComplete=Never";

    /** Plan ids whose approval request waits to be posted. */
    public static final String APPROVALS = "seda:irhub-approvals?size=10000&waitForTaskToComplete=Never";
    /** Authenticated clicks, decided off the HTTP thread (Slack wants its answer within 3 s). */
    public static final String INTERACTIONS = "seda:irhub-interactions?size=10000&waitForTaskToComplete=Never";
    /** Correlation ids whose approval message should show new outcomes. */
    public static final String APPROVAL_REFRESH = "seda:irhub-approval-refresh?size=10000&waitForTaskToComplete=Never&discardIfNoConsumers=true";

    /** A list of actions to put onto their partitions. */
    public static final String DISPATCH = "direct:irhub-dispatch";

    /** Header: also claim actions left in flight by a crashed run (set by recovery at start-up only). */
    public static final String RESUME = "irhubResume";
    /** Exchange property: the audit event a refusal wire-taps. */
    public static final String AUDIT_EVENT = "irhubAuditEvent";

    private Bus() {
    }

    /**
     * One identity's accepted signals (by their first identity) and dispatch orders always go to one partition, which
     * has one consumer: per-identity order.
     */
    public static String partition(int partition) {
        return "seda:irhub-partition-" + partition + "?size=100000&blockWhenFull=true&waitForTaskToComplete=Never";
    }

    public static int partitionOf(String identityKey, int partitions) {
        return Math.floorMod(identityKey.hashCode(), partitions);
    }
}
