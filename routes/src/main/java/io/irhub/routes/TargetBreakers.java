package io.irhub.routes;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One circuit breaker per target instance (resilience4j). When most recent calls to a target failed (outcomes FAILED
 * after the connector's own bounded retries: 5xx, timeouts, resets, TLS errors), the target is left alone for
 * {@link Settings#openFor()}: its actions are not claimed and stay {@code pending}, so none is lost, none is marked
 * failed for the target's outage, and the target is not hammered while it recovers. Then one trial action goes
 * through; if it succeeds the held actions are dispatched again, in their identities' order, by the
 * {@code circuit-retry} route. Every transition is audited ({@code target-circuit}) and shown as the
 * {@code irhub_target_circuit} gauge. REFUSED outcomes (the target answered, and said no) do not count.
 */
public final class TargetBreakers {
    private static final Logger LOG = LoggerFactory.getLogger(TargetBreakers.class);

    /**
     * @param failureRatePercent open when at least this share of the last {@code window} calls failed
     * @param window             calls the failure rate is taken over
     * @param minimumCalls       calls needed before the rate counts
     * @param openFor            how long an open circuit holds a target's actions before a trial call
     */
    public record Settings(float failureRatePercent, int window, int minimumCalls, Duration openFor) {
        public Settings {
            if (failureRatePercent <= 0 || failureRatePercent > 100) {
                throw new IllegalArgumentException("circuit-breaker failure-rate must be between 1 and 100 (percent)");
            }
            if (window < 1 || minimumCalls < 1 || minimumCalls > window) {
                throw new IllegalArgumentException("circuit-breaker window must be >= 1 and minimum-calls between 1 and window");
            }
            if (openFor.isNegative() || openFor.isZero()) {
                throw new IllegalArgumentException("circuit-breaker open-for must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(50, 10, 5, Duration.ofSeconds(30));
        }
    }

    private final CircuitBreakerRegistry registry;
    private final Set<String> holding = ConcurrentHashMap.newKeySet();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Consumer<AuditEvent> audit;
    private final Metrics metrics;
    private final Clock clock;

    public TargetBreakers(Settings settings, Consumer<AuditEvent> audit, Metrics metrics, Clock clock) {
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    private CircuitBreaker breaker(String target) {
        return breakers.computeIfAbsent(target, name -> {
            CircuitBreaker b = registry.circuitBreaker(name);
            b.getEventPublisher().onStateTransition(e -> transition(name, e.getStateTransition(), b));
            metrics.circuit(name, () -> switch (b.getState()) {
                case CLOSED, DISABLED -> 0;
                case HALF_OPEN -> 1;
                default -> 2;
            });
            return b;
        });
    }

    /**
     * Asks to call {@code target}; {@code false} while its circuit is open: the caller leaves the action pending and it
     * is dispatched again when the circuit lets calls through. A permission taken must be given back with
     * {@link #release} when no call follows, or settled with {@link #record}.
     */
    public boolean tryAcquire(String target) {
        if (target == null) {
            return true;
        }
        if (breaker(target).tryAcquirePermission()) {
            return true;
        }
        holding.add(target);
        return false;
    }

    /** Whether {@code target}'s circuit is closed (calls go through without holding a trial permission). */
    public boolean closed(String target) {
        return breaker(target).getState() == CircuitBreaker.State.CLOSED;
    }

    /** A permission taken by {@link #tryAcquire} that no call used (the action was not claimable). */
    public void release(String target) {
        if (target != null) {
            breaker(target).releasePermission();
        }
    }

    /** Settles a permission with the call's outcome. */
    public void record(String target, ActionOutcome.Status status, Duration took) {
        if (target == null) {
            return;
        }
        CircuitBreaker b = breaker(target);
        if (status == ActionOutcome.Status.FAILED) {
            b.onError(took.toNanos(), TimeUnit.NANOSECONDS, new TargetCallFailed());
        } else {
            b.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Targets that held actions back and now let calls through again; each is returned once per hold. */
    public List<String> readyToRetry() {
        return holding.stream().filter(t -> breaker(t).getState() != CircuitBreaker.State.OPEN)
                .filter(holding::remove).sorted().toList();
    }

    /** The state of every target called so far: {@code closed}, {@code open} or {@code half-open}. */
    public Map<String, String> states() {
        Map<String, String> out = new LinkedHashMap<>();
        breakers.keySet().stream().sorted().forEach(t -> out.put(t, wire(breaker(t).getState())));
        return out;
    }

    private void transition(String target, CircuitBreaker.StateTransition t, CircuitBreaker b) {
        String to = wire(t.getToState());
        CircuitBreaker.Metrics m = b.getMetrics();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", wire(t.getFromState()));
        details.put("to", to);
        details.put("failed_calls", m.getNumberOfFailedCalls());
        details.put("calls", m.getNumberOfBufferedCalls());
        if (t.getToState() == CircuitBreaker.State.OPEN) {
            LOG.warn("target {}: circuit open after {} of {} calls failed; its actions wait (pending) and are retried later",
                    target, m.getNumberOfFailedCalls(), m.getNumberOfBufferedCalls());
        } else {
            LOG.info("target {}: circuit {}", target, to);
        }
        try {
            audit.accept(new AuditEvent(clock.instant(), null, AuditEvent.Stage.TARGET_CIRCUIT, "dispatch", target, null,
                    to, details));
        } catch (RuntimeException e) {
            LOG.error("could not audit the circuit transition of {} to {}: {}", target, to, e.getMessage());
        }
    }

    private static String wire(CircuitBreaker.State s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** What the breaker counts; carries no vendor text (the outcome's message is in the action's audit row). */
    private static final class TargetCallFailed extends RuntimeException {
        TargetCallFailed() {
            super("target call failed", null, false, false);
        }
    }
}
