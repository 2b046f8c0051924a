package io.irhub.connector.vault;

import java.security.SecureRandom;

/**
 * New values for KV v2 rotations: 32 letters and digits from {@link SecureRandom}, about 190 bits, accepted by
 * databases and services that restrict punctuation in passwords.
 */
final class RandomPassword {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    static final int LENGTH = 32;

    private final SecureRandom random = new SecureRandom();

    String next() {
        char[] value = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            value[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(value);
    }
}
