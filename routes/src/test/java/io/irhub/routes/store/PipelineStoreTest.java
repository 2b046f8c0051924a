package io.irhub.routes.store;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;
import io.irhub.routes.PlanStep;
import io.irhub.routes.TestDatabases;
import io.irhub.routes.policy.Planner;
import io.irhub.routes.policy.PolicySet;
import io.irhub.routes.store.PipelineStore.Accepted;
import io.irhub.routes.store.PipelineStore.Claimed;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class PipelineStoreTest {
    static final String POLICIES = """
            policies:
              - name: compromised
                mode: auto
                actions: [{verb: suspend, target: okta-main}, {verb: clear-sessions, target: okta-main}]
            guards:
              protected-identities: [breakglass@example.com]
            """;

    private HikariDataSource db;
    private PipelineStore store;
    private PlanStep planStep;

    @BeforeEach
    void setUp() {
        db = TestDatabases.freshStore();
        store = new PipelineStore(db, Clock.systemUTC());
        planStep = new PlanStep(store, new Planner(PolicySet.from(PolicySet.read(POLICIES, "test"),
                Map.of("okta-main", Set.of(Verb.SUSPEND, Verb.CLEAR_SESSIONS))), Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    public static Signal signal(String dedupe, String... logins) {
        return new Signal("splunk-prod", "splunk", dedupe, "Compromised account", Severity.HIGH, Instant.now(),
                java.util.Arrays.stream(logins).map(Identity::user).toList(), "https://splunk/x", "{\"sid\":\"" + dedupe + "\"}");
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theSameSignalTwiceIsStoredOnceAndTheDuplicateIsAudited() throws SQLException {
        Accepted first = store.accept(signal("sid-1", "alice@example.com"));
        Accepted second = store.accept(signal("sid-1", "alice@example.com"));
        assertThat(first.duplicate()).isFalse();
        assertThat(second.duplicate()).isTrue();
        assertThat(second.correlationId()).isEqualTo(first.correlationId());
        assertThat(count("SELECT count(*) FROM signal")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'signal-duplicate' AND correlation_id = '"
                + first.correlationId() + "'")).isEqualTo(1);
    }

    @Test
    void concurrentDeliveriesOfOneAlertMakeOneSignal() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Accepted>> work = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                work.add(() -> store.accept(signal("sid-race", "alice@example.com")));
            }
            long fresh = 0;
            for (Future<Accepted> f : pool.invokeAll(work)) {
                fresh += f.get().duplicate() ? 0 : 1;
            }
            assertThat(fresh).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
        assertThat(count("SELECT count(*) FROM signal")).isEqualTo(1);
    }

    @Test
    void aSignalIsPlannedOnceHoweverOftenItIsDelivered() throws SQLException {
        Accepted a = store.accept(signal("sid-2", "alice@example.com"));
        List<DispatchOrder> orders = planStep.plan(a.correlationId()).toDispatch();
        assertThat(orders).hasSize(2);
        assertThat(planStep.plan(a.correlationId()).toDispatch()).isEmpty();
        assertThat(count("SELECT count(*) FROM plan")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM action")).isEqualTo(2);
    }

    @Test
    void anActionIsClaimedOnceAndItsIntentIsCommittedBeforeTheCall() throws SQLException {
        Accepted a = store.accept(signal("sid-3", "alice@example.com"));
        DispatchOrder order = planStep.plan(a.correlationId()).toDispatch().get(0);
        Claimed claimed = store.claim(order.actionId(), false).orElseThrow();
        assertThat(claimed.request().verb()).isEqualTo(Verb.SUSPEND);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'action-intent'")).isEqualTo(1);
        assertThat(store.claim(order.actionId(), false)).isEmpty();
        // recovery may resume an action left in flight
        assertThat(store.claim(order.actionId(), true)).get().extracting(Claimed::attempt).isEqualTo(2);
        store.complete(claimed.request(), ActionOutcome.succeeded("00u1", "suspended", Map.of()));
        assertThatThrownBy(() -> store.complete(claimed.request(), ActionOutcome.succeeded("00u1", "again", Map.of())))
                .isInstanceOf(StoreException.class);
        assertThat(store.claim(order.actionId(), true)).isEmpty();
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'action-outcome'")).isEqualTo(1);
    }

    @Test
    void thePlanCompletesWithItsLastAction() throws SQLException {
        Accepted a = store.accept(signal("sid-4", "alice@example.com"));
        for (DispatchOrder order : planStep.plan(a.correlationId()).toDispatch()) {
            assertThat(count("SELECT count(*) FROM plan WHERE state = 'completed'")).isZero();
            Claimed c = store.claim(order.actionId(), false).orElseThrow();
            store.complete(c.request(), ActionOutcome.alreadyDone("00u1", "already", Map.of()));
        }
        assertThat(count("SELECT count(*) FROM plan WHERE state = 'completed'")).isEqualTo(1);
    }

    @Test
    void protectedIdentitiesGetBlockedActionsAndAGuardRow() throws SQLException {
        Accepted a = store.accept(signal("sid-5", "breakglass@example.com"));
        assertThat(planStep.plan(a.correlationId()).toDispatch()).isEmpty();
        assertThat(count("SELECT count(*) FROM action WHERE state = 'blocked'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'guard' AND outcome = 'blocked'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM plan WHERE state = 'completed'")).isEqualTo(1);
    }

    @Test
    void theBlastRadiusCountsAutomaticActionsAcrossPlans() throws SQLException {
        PlanStep limited = new PlanStep(store, new Planner(PolicySet.from(PolicySet.read(POLICIES.replace(
                "guards:", "guards:\n  blast-radius: {max-actions: 3, window: 10m}"), "test"),
                Map.of("okta-main", Set.of(Verb.SUSPEND, Verb.CLEAR_SESSIONS))), Clock.systemUTC()));
        assertThat(limited.plan(store.accept(signal("sid-b1", "alice@example.com")).correlationId()).toDispatch()).hasSize(2);
        Accepted second = store.accept(signal("sid-b2", "bob@example.com"));
        assertThat(limited.plan(second.correlationId()).toDispatch()).isEmpty();
        assertThat(count("SELECT count(*) FROM plan WHERE state = 'awaiting-approval' AND correlation_id = '"
                + second.correlationId() + "'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM action WHERE state = 'awaiting-approval'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'guard' AND outcome = 'escalated' AND correlation_id = '"
                + second.correlationId() + "'")).isEqualTo(1);
    }

    @Test
    void theFirstActionClaimedWithThePlanHasItsIntentCommittedWithIt() throws SQLException {
        Accepted a = store.accept(signal("sid-claim", "alice@example.com", "bob@example.com"));
        // the planner's partition owns alice, not bob
        PipelineStore.PlanResult r = planStep.plan(a.correlationId(),
                (identity, target) -> identity.equals("user:alice@example.com"));
        assertThat(r.claimed()).extracting(c -> c.request().identity().key() + " " + c.request().verb().wireName())
                .containsExactly("user:alice@example.com suspend");
        assertThat(r.claimed()).allSatisfy(c -> {
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.signalReceivedAt()).isNotNull();
        });
        // alice's second action queues behind the first; bob's go to his partition
        assertThat(r.toDispatch()).extracting(DispatchOrder::identityKey)
                .containsExactly("user:alice@example.com", "user:bob@example.com", "user:bob@example.com");
        assertThat(count("SELECT count(*) FROM action WHERE state = 'in-flight' AND attempts = 1")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'action-intent' AND outcome = 'intent'")).isEqualTo(1);
        // the intent rows follow the plan row: the chain shows plan, then intent
        assertThat(count("""
                SELECT count(*) FROM audit_event i, audit_event p
                WHERE i.stage = 'action-intent' AND p.stage = 'plan' AND i.id > p.id""")).isEqualTo(1);
        // claimed once: a dispatch order for the same action finds nothing to claim
        assertThat(store.claim(r.claimed().get(0).request().actionId(), false)).isEmpty();
        store.complete(r.claimed().get(0).request(), ActionOutcome.succeeded("00u1", "suspended", Map.of()));
    }

    @Test
    void whileTheKillSwitchIsOnNothingIsClaimedWithThePlanOrByDispatch() throws SQLException {
        new io.irhub.routes.HubState(db, Clock.systemUTC()).setPaused(true, "test");
        Accepted a = store.accept(signal("sid-paused", "alice@example.com"));
        PipelineStore.PlanResult r = planStep.plan(a.correlationId(), (identity, target) -> true);
        assertThat(r.claimed()).isEmpty();
        assertThat(r.toDispatch()).hasSize(2);
        assertThat(store.claim(r.toDispatch().get(0).actionId(), false)).isEmpty();
        assertThat(count("SELECT count(*) FROM action WHERE state = 'pending'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'action-intent'")).isZero();
        new io.irhub.routes.HubState(db, Clock.systemUTC()).setPaused(false, "test");
        assertThat(store.claim(r.toDispatch().get(0).actionId(), false)).isPresent();
    }

    @Test
    void recoveryFindsUnplannedSignalsAndUnfinishedActions() {
        Accepted unplanned = store.accept(signal("sid-6", "alice@example.com"));
        Accepted planned = store.accept(signal("sid-7", "bob@example.com"));
        List<DispatchOrder> orders = planStep.plan(planned.correlationId()).toDispatch();
        store.claim(orders.get(0).actionId(), false);   // in flight when the "crash" happened
        Instant later = Instant.now().plusSeconds(1);
        // recovery plans the signal on its first identity's partition, as intake did
        assertThat(store.unplannedSignals(later)).containsExactly(
                new Accepted(unplanned.correlationId(), false, "user:alice@example.com"));
        assertThat(unplanned.orderKey()).isEqualTo("user:alice@example.com");
        assertThat(store.unfinishedActions(later)).extracting(DispatchOrder::actionId)
                .containsExactlyInAnyOrder(orders.get(0).actionId(), orders.get(1).actionId());
        assertThat(store.unplannedSignals(Instant.now().minusSeconds(60))).isEmpty();
    }
}
