package io.irhub.routes;

import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.Target;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.PipelineStore.Claimed;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Carries out one action in two steps, so that a failure to record the outcome is retried without calling the
 * target again: {@link #execute} commits the intent and calls the target; {@link #record} commits the outcome.
 */
public final class DispatchStep {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchStep.class);

    private final Map<String, Target> targets;
    private final PipelineStore store;
    private final HubState state;

    private final Metrics metrics;

    public DispatchStep(Map<String, Target> targets, PipelineStore store, HubState state) {
        this(targets, store, state, Metrics.standalone());
    }

    public DispatchStep(Map<String, Target> targets, PipelineStore store, HubState state, Metrics metrics) {
        this.targets = Map.copyOf(targets);
        this.store = store;
        this.state = state;
        this.metrics = metrics;
    }

    /** An action carried out, waiting for its outcome to be recorded. */
    public record Executed(ActionRequest request, ActionOutcome outcome) {
    }

    /**
     * @return {@code null} when the action was not claimable (finished, or claimed by another consumer), or when the
     * kill switch is on: the action then stays pending until the hub is resumed
     */
    public Executed execute(DispatchOrder order, boolean resume) {
        if (state.paused()) {
            LOG.info("paused: action {} stays pending", order.actionId());
            return null;
        }
        Claimed claimed = store.claim(order.actionId(), resume).orElse(null);
        if (claimed == null) {
            return null;
        }
        ActionRequest request = claimed.request();
        org.slf4j.MDC.put("correlation_id", request.correlationId().toString());
        org.slf4j.MDC.put("action_id", request.actionId().toString());
        if (claimed.dryRun()) {
            return new Executed(request, new ActionOutcome(ActionOutcome.Status.DRY_RUN, null,
                    "dry-run: " + request.verb().wireName() + " not sent to " + request.targetInstance(), Map.of()));
        }
        Target target = targets.get(request.targetInstance());
        if (target == null) {
            return new Executed(request, ActionOutcome.refused(null, "target instance " + request.targetInstance()
                    + " is not configured", Map.of()));
        }
        ActionOutcome outcome;
        try {
            outcome = target.execute(request);
        } catch (RuntimeException e) {
            // connectors map vendor errors themselves; an exception here is a bug, and its message may be unsafe
            LOG.error("target {} threw {} for action {}", request.targetInstance(), e.getClass().getName(), request.actionId());
            outcome = ActionOutcome.failed(null, "the connector failed unexpectedly (" + e.getClass().getSimpleName() + ")", Map.of());
        }
        return new Executed(request, outcome);
    }

    public void record(Executed executed) {
        if (executed == null) {
            return;
        }
        try {
            recordOutcome(executed);
        } finally {
            org.slf4j.MDC.remove("correlation_id");
            org.slf4j.MDC.remove("action_id");
        }
    }

    private void recordOutcome(Executed executed) {
        store.complete(executed.request(), executed.outcome());
        ActionRequest r = executed.request();
        metrics.action(r.targetInstance(), r.verb().wireName(), executed.outcome().status().name().toLowerCase(java.util.Locale.ROOT));
        if (executed.outcome().status() == ActionOutcome.Status.SUCCEEDED && r.verb() != io.irhub.connector.api.Verb.LOOKUP
                && r.verb() != io.irhub.connector.api.Verb.RESTORE) {
            store.receivedAt(r.correlationId()).ifPresent(at ->
                    metrics.containment(java.time.Duration.between(at, java.time.Instant.now())));
        }
        LOG.info("action {} {} {} on {}: {}", r.actionId(), r.verb().wireName(), r.identity().key(),
                r.targetInstance(), executed.outcome().status().name().toLowerCase(java.util.Locale.ROOT));
    }
}
