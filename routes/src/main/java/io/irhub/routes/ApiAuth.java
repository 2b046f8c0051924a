package io.irhub.routes;

import io.irhub.connector.api.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens for the API, each with the name of its holder (for the audit trail). Every configured token is
 * compared, in constant time, whatever matches first.
 */
public final class ApiAuth {
    private final Map<String, byte[]> digests = new LinkedHashMap<>();

    public ApiAuth(Map<String, Secret> tokensByHolder) {
        tokensByHolder.forEach((holder, token) -> digests.put(holder, sha256(token.reveal())));
    }

    public boolean enabled() {
        return !digests.isEmpty();
    }

    /** @return the holder of the presented token, if it is one of the configured tokens */
    public Optional<String> caller(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorizationHeader.substring(7).trim());
        String found = null;
        for (Map.Entry<String, byte[]> e : digests.entrySet()) {
            if (MessageDigest.isEqual(presented, e.getValue()) && found == null) {
                found = e.getKey();
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
