package io.irhub.routes;

import io.irhub.connector.api.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens for the API, each with its holder's name (the actor in the audit trail) and role. Every configured
 * token is compared, in constant time, whatever matches first.
 */
public final class ApiAuth {

    /** What a caller may do: viewers read, operators also restore, confirm, approve and pause, admins everything. */
    public enum Role {
        VIEWER, OPERATOR, ADMIN;

        public boolean allows(Role required) {
            return compareTo(required) >= 0;
        }

        public static Role fromWire(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("unknown role '" + value + "' (expected viewer, operator or admin)");
            }
        }
    }

    /** An authenticated caller. */
    public record Caller(String name, Role role) {
        public String actor() {
            return "api:" + name;
        }
    }

    /** A configured token. */
    public record Token(Secret secret, Role role) {
    }

    private record Entry(byte[] digest, Role role) {
    }

    private final Map<String, Entry> tokens = new LinkedHashMap<>();

    public ApiAuth(Map<String, Token> tokensByHolder) {
        tokensByHolder.forEach((holder, token) -> tokens.put(holder, new Entry(sha256(token.secret().reveal()), token.role())));
    }

    public boolean enabled() {
        return !tokens.isEmpty();
    }

    /** @return the holder of the presented token, if it is one of the configured tokens */
    public Optional<Caller> caller(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorizationHeader.substring(7).trim());
        Caller found = null;
        for (Map.Entry<String, Entry> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(presented, e.getValue().digest()) && found == null) {
                found = new Caller(e.getKey(), e.getValue().role());
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
