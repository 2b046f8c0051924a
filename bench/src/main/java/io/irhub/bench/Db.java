package io.irhub.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The PostgreSQL server the run uses: the machine's on 127.0.0.1:5432 when it answers (trust auth, user postgres or
 * the OS user), else an embedded one (zonky) started here. Each run gets fresh databases.
 */
final class Db implements AutoCloseable {
    final String host;
    final int port;
    final String user;
    final String description;
    private final EmbeddedPostgres embedded;
    private final List<String> created = new ArrayList<>();

    private Db(String host, int port, String user, String description, EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.description = description;
        this.embedded = embedded;
    }

    /** @param forceEmbedded skip the machine's server */
    static Db open(String host, int port, boolean forceEmbedded, Path workDir) throws Exception {
        if (!forceEmbedded) {
            for (String user : new String[]{"postgres", System.getProperty("user.name"), "root"}) {
                for (String database : new String[]{"postgres", "test"}) {
                    try (Connection c = connect(host, port, database, user)) {
                        String version;
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
                            rs.next();
                            version = rs.getString(1);
                        }
                        String sync = show(c, "synchronous_commit");
                        String fsync = show(c, "fsync");
                        return new Db(host, port, user, "PostgreSQL " + version + " on " + host + ":" + port
                                + " (machine server; fsync=" + fsync + ", synchronous_commit=" + sync + ")", null);
                    } catch (SQLException e) {
                        // next user / database
                    }
                }
            }
            System.out.println("[bench] no PostgreSQL answers on " + host + ":" + port + "; starting an embedded one");
        }
        Path dir = Files.createDirectories(workDir.resolve("embedded-pg"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(dir.toFile())
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setServerConfig("unix_socket_directories", dir.toString())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        return new Db("127.0.0.1", pg.getPort(), "postgres", "embedded PostgreSQL (zonky) on 127.0.0.1:" + pg.getPort()
                + " (fsync=on, synchronous_commit=on)", pg);
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static Connection connect(String host, int port, String database, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    String url(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        return connect(host, port, database, user);
    }

    /** Drops leftovers of earlier runs (irhub_bench_*), then creates a fresh database. */
    String freshDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        created.add(name);
        return name;
    }

    void dropLeftovers(String prefix) throws SQLException {
        List<String> old = new ArrayList<>();
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "%'")) {
            while (rs.next()) {
                old.add(rs.getString(1));
            }
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            for (String name : old) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    void dropCreated() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            for (String name : created) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            System.out.println("[bench] could not drop the run's databases: " + e.getMessage());
        }
    }

    /** The postmaster's pid: the parent of this connection's backend (for CPU sampling), or -1. */
    long postmasterPid() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long[] stat = ProcSampler.stat(rs.getLong(1));
            return stat == null ? -1 : stat[2];
        } catch (SQLException e) {
            return -1;
        }
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) {
            embedded.close();
        }
    }
}
