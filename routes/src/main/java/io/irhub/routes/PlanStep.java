package io.irhub.routes;

import io.irhub.routes.policy.Planner;
import io.irhub.routes.store.Database;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.PipelineStore.StoredSignal;

import java.util.Optional;
import java.util.UUID;

/** Plans one accepted signal, once: a signal already planned (redelivered, recovered) yields nothing. */
public final class PlanStep {
    private final PipelineStore store;
    private final Planner planner;
    private final Metrics metrics;

    public PlanStep(PipelineStore store, Planner planner) {
        this(store, planner, Metrics.standalone());
    }

    public PlanStep(PipelineStore store, Planner planner, Metrics metrics) {
        this.store = store;
        this.planner = planner;
        this.metrics = metrics;
    }

    /** @return the actions to dispatch now, and whether the plan waits for approval */
    public PipelineStore.PlanResult plan(UUID correlationId) {
        return plan(correlationId, PipelineStore.ClaimNow.NONE);
    }

    /**
     * Plans, and claims with the plan the actions {@code claimNow} picks: the caller carries those out next.
     *
     * @return the claimed actions, the others to dispatch, and whether the plan waits for approval
     */
    public PipelineStore.PlanResult plan(UUID correlationId, PipelineStore.ClaimNow claimNow) {
        try (var ignored = org.slf4j.MDC.putCloseable("correlation_id", correlationId.toString())) {
            return planInTransaction(correlationId, claimNow);
        }
    }

    private PipelineStore.PlanResult planInTransaction(UUID correlationId, PipelineStore.ClaimNow claimNow) {
        return Database.inTransaction(store.dataSource(), c -> {
            if (planner.guards().blastRadiusLimited()) {
                store.lockPlanning(c);
            }
            Optional<StoredSignal> signal = store.lockUnplanned(c, correlationId);
            if (signal.isEmpty()) {
                return PipelineStore.PlanResult.NOTHING;
            }
            int recent = planner.guards().blastRadiusLimited()
                    ? store.recentAutomaticActions(c, planner.guards().window()) : 0;
            var draft = planner.plan(signal.get().signal(), recent);
            metrics.plan(draft.matched() ? draft.mode().wireName() : "no-match");
            return store.savePlan(c, signal.get(), draft, claimNow);
        });
    }
}
