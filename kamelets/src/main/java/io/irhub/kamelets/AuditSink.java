package io.irhub.kamelets;

import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.time.Clock;

/**
 * The bean behind {@code irhub-audit-sink}: appends the audit event in the body to the hub's PostgreSQL audit store
 * through the store's own {@link AuditLog} (the schema is migrated on start, as the hub does), then chains pending
 * rows so the new one is covered by the hash chain at once. The chainer locks the chain head with
 * {@code SKIP LOCKED}, so this sink and a running hub can share one store.
 */
public final class AuditSink implements Processor {
    private static final int POOL_SIZE = 2;

    private String jdbcUrl;
    private String username;
    private String password;
    private volatile HikariDataSource dataSource;
    private volatile AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    public void setJdbcUrl(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    /** Never logged; blank means none (trust or certificate authentication). */
    public void setPassword(String password) {
        this.password = password;
    }

    /** Opens the pool and migrates the store. */
    public void start() {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("irhub-audit-sink: jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
        }
        dataSource = Database.open(jdbcUrl, username, password == null || password.isBlank() ? null : password,
                POOL_SIZE);
        audit = new AuditLog(dataSource);
    }

    public void stop() {
        HikariDataSource open = dataSource;
        dataSource = null;
        audit = null;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public void process(Exchange exchange) {
        AuditLog log = audit;
        if (log == null) {
            throw new IllegalStateException("irhub-audit-sink is not started");
        }
        AuditEvent event = Wire.auditEvent(Wire.read(exchange.getMessage().getBody(String.class)), clock.instant());
        log.append(event);
        log.chainPending(1000);
    }
}
