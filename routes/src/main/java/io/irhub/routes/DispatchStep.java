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
    private final TargetBreakers breakers;

    public DispatchStep(Map<String, Target> targets, PipelineStore store, HubState state) {
        this(targets, store, state, Metrics.standalone(), null);
    }

    /** @param breakers the targets' circuits; {@code null} for the defaults, audited into the store */
    public DispatchStep(Map<String, Target> targets, PipelineStore store, HubState state, Metrics metrics,
                        TargetBreakers breakers) {
        this.targets = Map.copyOf(targets);
        this.store = store;
        this.state = state;
        this.metrics = metrics;
        this.breakers = breakers != null ? breakers : new TargetBreakers(TargetBreakers.Settings.defaults(),
                new io.irhub.routes.store.AuditLog(store.dataSource())::append, metrics, java.time.Clock.systemUTC());
    }

    public TargetBreakers breakers() {
        return breakers;
    }

    /**
     * An action carried out, waiting for its outcome to be recorded.
     *
     * @param signalReceivedAt when the incident's signal was accepted, or {@code null}
     */
    public record Executed(ActionRequest request, ActionOutcome outcome, java.time.Instant signalReceivedAt) {
    }

    /**
     * @return {@code null} when the action was not claimable (finished, or claimed by another consumer), or when the
     * kill switch is on or the target's circuit is open: the action then stays pending until the hub is resumed or
     * the target lets calls through again
     */
    public Executed execute(DispatchOrder order, boolean resume) {
        if (!breakers.tryAcquire(order.targetInstance())) {
            LOG.debug("target {} circuit open: action {} stays pending", order.targetInstance(), order.actionId());
            return null;
        }
        Claimed claimed;
        try {
            claimed = store.claim(order.actionId(), resume).orElse(null);
        } catch (RuntimeException e) {
            breakers.release(order.targetInstance());
            throw e;
        }
        if (claimed == null) {
            breakers.release(order.targetInstance());
            if (state.paused()) {
                LOG.info("paused: action {} stays pending", order.actionId());
            }
            return null;
        }
        return carryOut(claimed);
    }

    /**
     * Whether the planner may claim an action for {@code target} with its plan and carry it out at once: only while
     * the target's circuit is closed (otherwise the action takes the usual way, which waits for the circuit).
     */
    public boolean mayCarryOutAtOnce(String target) {
        return breakers.closed(target);
    }

    /** Calls the target for an action whose intent is committed (claimed by {@link #execute} or with its plan). */
    public Executed carryOut(Claimed claimed) {
        ActionRequest request = claimed.request();
        String targetInstance = request.targetInstance();
        org.slf4j.MDC.put("correlation_id", request.correlationId().toString());
        org.slf4j.MDC.put("action_id", request.actionId().toString());
        if (claimed.dryRun() || targets.get(targetInstance) == null) {
            breakers.release(targetInstance);
        }
        if (claimed.dryRun()) {
            return new Executed(request, new ActionOutcome(ActionOutcome.Status.DRY_RUN, null,
                    "dry-run: " + request.verb().wireName() + " not sent to " + request.targetInstance(), Map.of()),
                    claimed.signalReceivedAt());
        }
        Target target = targets.get(request.targetInstance());
        if (target == null) {
            return new Executed(request, ActionOutcome.refused(null, "target instance " + request.targetInstance()
                    + " is not configured", Map.of()), claimed.signalReceivedAt());
        }
        ActionOutcome outcome;
        long started = System.nanoTime();
        try {
            outcome = target.execute(request);
        } catch (RuntimeException e) {
            // connectors map vendor errors themselves; an exception here is a bug, and its message may be unsafe
            LOG.error("target {} threw {} for action {}", request.targetInstance(), e.getClass().getName(), request.actionId());
            outcome = ActionOutcome.failed(null, "the connector failed unexpectedly (" + e.getClass().getSimpleName() + ")", Map.of());
        }
        breakers.record(targetInstance, outcome.status(), java.time.Duration.ofNanos(System.nanoTime() - started));
        return new Executed(request, outcome, claimed.signalReceivedAt());
    }

    /** @return whether the incident has an approval message that should now show the outcome */
    public boolean record(Executed executed) {
        if (executed == null) {
            return false;
        }
        try {
            return recordOutcome(executed);
        } finally {
            org.slf4j.MDC.remove("correlation_id");
            org.slf4j.MDC.remove("action_id");
        }
    }

    private boolean recordOutcome(Executed executed) {
        boolean hasApproval = store.complete(executed.request(), executed.outcome());
        ActionRequest r = executed.request();
        metrics.action(r.targetInstance(), r.verb().wireName(), executed.outcome().status().name().toLowerCase(java.util.Locale.ROOT));
        if (executed.outcome().status() == ActionOutcome.Status.SUCCEEDED && r.verb() != io.irhub.connector.api.Verb.LOOKUP
                && r.verb() != io.irhub.connector.api.Verb.RESTORE) {
            if (executed.signalReceivedAt() != null) {
                metrics.containment(java.time.Duration.between(executed.signalReceivedAt(), java.time.Instant.now()));
            }
        }
        LOG.info("action {} {} {} on {}: {}", r.actionId(), r.verb().wireName(), r.identity().key(),
                r.targetInstance(), executed.outcome().status().name().toLowerCase(java.util.Locale.ROOT));
        return hasApproval;
    }
}
