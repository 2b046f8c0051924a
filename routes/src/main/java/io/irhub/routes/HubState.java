package io.irhub.routes;

import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The kill switch. While paused no replica calls a target: actions stay pending, and resuming dispatches them. The
 * flag lives in PostgreSQL so every replica sees it; each dispatch reads it, so a pause takes effect at once.
 */
public final class HubState {
    private final DataSource dataSource;
    private final Clock clock;

    public HubState(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public boolean paused() {
        return Database.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT enabled FROM hub_state WHERE name = 'paused'");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        });
    }

    /** @return whether the switch changed */
    public boolean setPaused(boolean paused, String actor) {
        return Database.inTransaction(dataSource, c -> {
            int changed;
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE hub_state SET enabled = ?, changed_by = ?, changed_at = ? WHERE name = 'paused' AND enabled <> ?""")) {
                ps.setBoolean(1, paused);
                ps.setString(2, actor);
                ps.setObject(3, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                ps.setBoolean(4, paused);
                changed = ps.executeUpdate();
            }
            if (changed == 1) {
                AuditLog.append(c, new AuditEvent(clock.instant(), null, AuditEvent.Stage.API_CALL, actor, null, null,
                        paused ? "paused" : "resumed", Map.of("kill_switch", paused ? "on: no target is called" : "off")));
            }
            return changed == 1;
        });
    }
}
