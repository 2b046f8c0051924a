package io.irhub.routes.store;

import com.fasterxml.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evidence export: the chained audit rows between two times, in chain order, with every field the hash covers, so
 * the file itself can be verified offline ({@link #verify}) — each row against its hash and its predecessor.
 */
public final class AuditExport {
    private AuditExport() {
    }

    public enum Format { JSONL, CSV }

    private static final String[] COLUMNS = {"chain_seq", "id", "at", "correlation_id", "stage", "actor",
            "connector_instance", "identity", "outcome", "details", "prev_hash", "hash"};

    /** Writes the rows chained in [from, to) and returns how many. */
    public static long write(DataSource dataSource, Instant from, Instant to, Format format, OutputStream out) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT chain_seq, id, at, correlation_id::text, stage, actor, connector_instance, identity, outcome,
                           details::text, prev_hash, hash
                    FROM audit_event WHERE chain_seq IS NOT NULL AND at >= ? AND at < ? ORDER BY chain_seq""")) {
                ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
                ps.setFetchSize(1000);
                PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
                if (format == Format.CSV) {
                    w.print(String.join(",", COLUMNS) + "\r\n");
                }
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("chain_seq", rs.getLong(1));
                        row.put("id", rs.getLong(2));
                        row.put("at", rs.getTimestamp(3).toInstant().toString());
                        row.put("correlation_id", rs.getString(4));
                        row.put("stage", rs.getString(5));
                        row.put("actor", rs.getString(6));
                        row.put("connector_instance", rs.getString(7));
                        row.put("identity", rs.getString(8));
                        row.put("outcome", rs.getString(9));
                        row.put("details", rs.getString(10));
                        row.put("prev_hash", rs.getString(11));
                        row.put("hash", rs.getString(12));
                        if (format == Format.JSONL) {
                            w.print(Json.MAPPER.writeValueAsString(row) + "\n");
                        } else {
                            w.print(csv(row) + "\r\n");
                        }
                        n++;
                    }
                }
                w.flush();
                c.rollback();
                return n;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(Map<String, Object> row) {
        StringBuilder sb = new StringBuilder();
        for (String col : COLUMNS) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            Object v = row.get(col);
            if (v != null) {
                String s = v.toString();
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            }
        }
        return sb.toString();
    }

    /**
     * Verifies a JSONL export: every row's hash, every row's link to the one before, no gap in {@code chain_seq}.
     * The first row's {@code prev_hash} is the anchor (compare it with the previous export's last hash).
     */
    public static AuditVerification verify(BufferedReader jsonl) throws IOException {
        String prev = null;
        long expected = -1;
        long n = 0;
        String line;
        while ((line = jsonl.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode r = Json.MAPPER.readTree(line);
            long seq = r.get("chain_seq").asLong();
            if (expected >= 0 && seq != expected) {
                return new AuditVerification(false, n, 0, "chain_seq " + expected + " is missing (found " + seq + ")");
            }
            String rowPrev = r.get("prev_hash").asText();
            if (prev != null && !prev.equals(rowPrev)) {
                return new AuditVerification(false, n, 0, "row chain_seq " + seq + " does not point at the previous row's hash");
            }
            String hash = AuditHash.of(rowPrev, seq, r.get("id").asLong(), Instant.parse(r.get("at").asText()),
                    text(r, "correlation_id"), r.get("stage").asText(), r.get("actor").asText(), text(r, "connector_instance"),
                    text(r, "identity"), r.get("outcome").asText(), r.get("details").asText());
            if (!hash.equals(r.get("hash").asText())) {
                return new AuditVerification(false, n, 0, "row chain_seq " + seq + " does not match its hash: it was edited");
            }
            prev = hash;
            expected = seq + 1;
            n++;
        }
        return new AuditVerification(true, n, 0, null);
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
