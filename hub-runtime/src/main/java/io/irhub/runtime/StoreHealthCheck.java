package io.irhub.runtime;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.Map;

/** Ready only while the audit store answers: the hub takes no action it cannot record. */
final class StoreHealthCheck extends AbstractHealthCheck {
    private final DataSource dataSource;

    StoreHealthCheck(DataSource dataSource) {
        super("irhub", "audit-store");
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                builder.up();
            } else {
                builder.down().message("the audit store did not answer");
            }
        } catch (Exception e) {
            builder.down().message("the audit store is unreachable: " + e.getClass().getSimpleName());
        }
    }
}
