package io.irhub.routes.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** The audit and pipeline store's connection pool, migrated by Flyway on open. */
public final class Database {
    private Database() {
    }

    /**
     * Opens a HikariCP pool and applies the migrations.
     *
     * @param password may be {@code null} (trust or certificate auth); never logged
     */
    public static HikariDataSource open(String jdbcUrl, String username, String password, int maxPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("irhub-store");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(maxPoolSize);
        config.setAutoCommit(true);
        // fail start-up fast with the driver's reason rather than waiting the default 30 s
        config.setInitializationFailTimeout(10_000);
        config.setConnectionTimeout(10_000);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            migrate(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
