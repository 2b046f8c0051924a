package io.irhub.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The hub's own Prometheus metrics, in the registry Camel serves at {@code /observe/metrics}: signals per source and
 * outcome, plans per mode, approvals per decision, actions per target, verb and outcome, detection-to-containment
 * latency, and how far the audit chain lags behind the writes. Labels never carry identities or secrets.
 */
public final class Metrics {
    private final Supplier<MeterRegistry> lookup;
    private volatile MeterRegistry registry;
    private final AtomicLong chainLagMillis = new AtomicLong();

    /** @param lookup finds the registry once Camel has started; falls back to a private one when there is none */
    public Metrics(Supplier<MeterRegistry> lookup) {
        this.lookup = lookup;
    }

    public static Metrics standalone() {
        return new Metrics(SimpleMeterRegistry::new);
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            synchronized (this) {
                if (registry == null) {
                    MeterRegistry found = lookup.get();
                    registry = found == null ? new SimpleMeterRegistry() : found;
                    registry.gauge("irhub.audit.chain.lag", chainLagMillis, v -> v.get() / 1000.0);
                }
                r = registry;
            }
        }
        return r;
    }

    public void signal(String source, String outcome) {
        Counter.builder("irhub.signals").description("Deliveries per source and outcome (accepted, duplicate, refused)")
                .tag("source", source == null ? "unknown" : source).tag("outcome", outcome).register(registry()).increment();
    }

    public void plan(String mode) {
        Counter.builder("irhub.plans").description("Plans per mode").tag("mode", mode).register(registry()).increment();
    }

    public void approval(String decision) {
        Counter.builder("irhub.approvals").description("Approval decisions, refusals and expiries")
                .tag("decision", decision).register(registry()).increment();
    }

    /** From the approval request's creation to the decision that closed it (approved or denied by people). */
    public void approvalLatency(String decision, Duration d) {
        Timer.builder("irhub.approval.latency").description("Approval request created to approved or denied")
                .tag("decision", decision).publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1))
                .register(registry()).record(d);
    }

    public void action(String target, String verb, String outcome) {
        Counter.builder("irhub.actions").description("Actions per target, verb and outcome")
                .tag("target", target).tag("verb", verb).tag("outcome", outcome).register(registry()).increment();
    }

    /** From the signal's arrival to an action that contained the identity. */
    public void containment(Duration d) {
        Timer.builder("irhub.containment").description("Detection to containment: signal accepted to target change confirmed")
                .publishPercentileHistogram().serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(250),
                        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1))
                .register(registry()).record(d);
    }

    /** A target's circuit: 0 closed, 1 half-open (trying), 2 open (its actions wait). */
    public void circuit(String target, java.util.function.Supplier<Number> state) {
        io.micrometer.core.instrument.Gauge.builder("irhub.target.circuit", state)
                .description("Target circuit state: 0 closed, 1 half-open, 2 open (actions wait, pending)")
                .tag("target", target).register(registry());
    }

    /** How old the oldest row of the last chained batch was when it was chained. */
    public void chainLag(Duration d) {
        registry();
        chainLagMillis.set(d.toMillis());
    }
}
