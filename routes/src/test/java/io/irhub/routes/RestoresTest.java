package io.irhub.routes;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.Verb;
import io.irhub.routes.policy.Planner;
import io.irhub.routes.policy.PolicySet;
import io.irhub.routes.store.PipelineStore;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.irhub.routes.store.PipelineStoreTest.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoresTest {
    static final String POLICIES = """
            policies:
              - name: compromised
                mode: auto
                actions:
                  - {verb: suspend, target: okta-main, expires-after: 1h}
                  - {verb: clear-sessions, target: okta-main}
            """;
    static final Map<String, Set<Verb>> TARGETS = Map.of("okta-main", Set.of(Verb.SUSPEND, Verb.RESTORE, Verb.CLEAR_SESSIONS));

    private HikariDataSource db;
    private PipelineStore store;
    private PlanStep planStep;
    private MutableClock clock;
    private Restores restores;

    /** The hub's clock, moved forward by the test to pass an expiry. */
    static final class MutableClock extends Clock {
        Instant now = Instant.now();

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() {
        db = TestDatabases.freshStore();
        clock = new MutableClock();
        store = new PipelineStore(db, clock);
        planStep = new PlanStep(store, new Planner(PolicySet.from(PolicySet.read(POLICIES, "test"), TARGETS), clock));
        restores = new Restores(db, TARGETS, clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** Plans a signal and carries out its actions with the given outcomes; returns the action ids in order. */
    private List<UUID> carryOut(String sid, ActionOutcome.Status... statuses) {
        UUID corr = store.accept(signal(sid, "alice@example.com")).correlationId();
        List<DispatchOrder> orders = planStep.plan(corr).toDispatch();
        for (int i = 0; i < orders.size(); i++) {
            Claimed c = store.claim(orders.get(i).actionId(), false).orElseThrow();
            store.complete(c.request(), new ActionOutcome(statuses[i], "00u1", "done", Map.of()));
        }
        return orders.stream().map(DispatchOrder::actionId).toList();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSuspensionIsRestoredOnceUnderItsCorrelationId() throws SQLException {
        List<UUID> ids = carryOut("sid-r1", ActionOutcome.Status.SUCCEEDED, ActionOutcome.Status.SUCCEEDED);
        List<DispatchOrder> first = restores.restoreAction(ids.get(0), "api:soc-lead", "false positive");
        assertThat(first).hasSize(1);
        assertThat(restores.restoreAction(ids.get(0), "api:soc-lead", "again")).isEmpty();
        assertThat(count("SELECT count(*) FROM action WHERE verb = 'restore' AND state = 'pending' AND restores_action_id = '"
                + ids.get(0) + "' AND correlation_id = (SELECT correlation_id FROM action WHERE id = '" + ids.get(0) + "')"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'restore-requested' AND actor = 'api:soc-lead'"
                + " AND details->>'reason' = 'false positive'")).isEqualTo(1);
        // the restore is an action like any other: claimed, carried out, recorded
        Claimed restore = store.claim(first.get(0).actionId(), false).orElseThrow();
        assertThat(restore.request().verb()).isEqualTo(Verb.RESTORE);
        store.complete(restore.request(), ActionOutcome.succeeded("00u1", "unsuspended", Map.of()));
        assertThat(restores.restoreAction(ids.get(0), "api:soc-lead", "third time")).isEmpty();
    }

    @Test
    void onlySuspensionsTheHubCarriedOutAreRestored() {
        List<UUID> ids = carryOut("sid-r2", ActionOutcome.Status.ALREADY_DONE, ActionOutcome.Status.SUCCEEDED);
        assertThatThrownBy(() -> restores.restoreAction(ids.get(0), "api:x", null))
                .isInstanceOfSatisfying(Restores.Refused.class, e -> assertThat(e.status).isEqualTo(409))
                .hasMessageContaining("already-done");
        assertThatThrownBy(() -> restores.restoreAction(ids.get(1), "api:x", null))
                .hasMessageContaining("clear-sessions");
        assertThatThrownBy(() -> restores.restoreAction(UUID.randomUUID(), "api:x", null))
                .isInstanceOfSatisfying(Restores.Refused.class, e -> assertThat(e.status).isEqualTo(404));
    }

    @Test
    void aSuspensionResumedAfterACrashAndFoundDoneIsTheHubsToRestore() {
        UUID corr = store.accept(signal("sid-r4", "alice@example.com")).correlationId();
        DispatchOrder order = planStep.plan(corr).toDispatch().get(0);
        store.claim(order.actionId(), false).orElseThrow();                  // attempt 1: the hub died mid-call
        Claimed resumed = store.claim(order.actionId(), true).orElseThrow(); // attempt 2 finds the change made
        store.complete(resumed.request(), ActionOutcome.alreadyDone("00u1", "already suspended", Map.of()));
        assertThat(restores.restoreAction(order.actionId(), "api:x", null)).hasSize(1);
    }

    @Test
    void anIncidentRestoreCoversEverySuspensionOfIt() throws SQLException {
        List<UUID> ids = carryOut("sid-r3", ActionOutcome.Status.SUCCEEDED, ActionOutcome.Status.SUCCEEDED);
        UUID correlation;
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT correlation_id FROM action WHERE id = '" + ids.get(0) + "'")) {
            rs.next();
            correlation = rs.getObject(1, UUID.class);
        }
        assertThat(restores.restoreIncident(correlation, "cli:root", null)).hasSize(1);
        assertThat(restores.restoreIncident(correlation, "cli:root", null)).isEmpty();
        assertThatThrownBy(() -> restores.restoreIncident(UUID.randomUUID(), "cli:root", null))
                .isInstanceOfSatisfying(Restores.Refused.class, e -> assertThat(e.status).isEqualTo(404));
    }

    @Test
    void anUnconfirmedSuspensionIsRestoredAtItsExpiryAndAConfirmedOneIsNot() throws SQLException {
        List<UUID> unconfirmed = carryOut("sid-e1", ActionOutcome.Status.SUCCEEDED, ActionOutcome.Status.SUCCEEDED);
        List<UUID> confirmed = carryOut("sid-e2", ActionOutcome.Status.SUCCEEDED, ActionOutcome.Status.SUCCEEDED);
        restores.confirm(confirmed.get(0), "api:soc-lead");
        assertThat(restores.expire()).isEmpty();
        clock.now = clock.now.plus(Duration.ofHours(1)).plusSeconds(1);
        List<DispatchOrder> due = restores.expire();
        assertThat(due).hasSize(1);
        assertThat(count("SELECT count(*) FROM action WHERE verb = 'restore' AND restores_action_id = '" + unconfirmed.get(0) + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'restore-requested' AND actor = 'expiry'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_event WHERE stage = 'confirmed'")).isEqualTo(1);
        // a second look finds nothing more, even if that restore were to fail
        assertThat(restores.expire()).isEmpty();
    }

    @Test
    void aPlanWithAFailedActionStaysVisiblyFailed() throws SQLException {
        carryOut("sid-f1", ActionOutcome.Status.FAILED, ActionOutcome.Status.SUCCEEDED);
        assertThat(count("SELECT count(*) FROM plan WHERE state = 'failed'")).isEqualTo(1);
        carryOut("sid-f2", ActionOutcome.Status.SUCCEEDED, ActionOutcome.Status.REFUSED);
        assertThat(count("SELECT count(*) FROM plan WHERE state = 'completed'")).isEqualTo(1);
    }
}
