package io.irhub.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The embedded default: a real PostgreSQL server whose data survives restarts under a local directory. */
final class EmbeddedStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);
    private final EmbeddedPostgres postgres;

    private EmbeddedStore(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedStore start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            LOG.info("embedded PostgreSQL on 127.0.0.1:{}, data in {}", pg.getPort(), dataDir.toAbsolutePath());
            return new EmbeddedStore(pg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
