package io.irhub.routes.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The hash of one audit row: SHA-256 over the previous row's hash and the row's fields, one per line, in a fixed
 * order. {@code details} is hashed as PostgreSQL prints the jsonb value, so an export can be re-verified offline.
 */
public final class AuditHash {
    public static final String GENESIS = "0".repeat(64);

    private AuditHash() {
    }

    public static String of(String prevHash, long chainSeq, long id, Instant at, String correlationId, String stage,
                            String actor, String connectorInstance, String identity, String outcome, String details) {
        String canonical = String.join("\n", prevHash, Long.toString(chainSeq), Long.toString(id), at.toString(),
                nz(correlationId), stage, actor, nz(connectorInstance), nz(identity), outcome, details);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
