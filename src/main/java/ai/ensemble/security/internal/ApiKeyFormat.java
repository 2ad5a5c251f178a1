package ai.ensemble.security.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * {@code sk-ens-<12-character prefix><40-character secret>}, base62. The prefix finds the row; the
 * SHA-256 of the whole key is what is stored. A fast hash is enough: the secret carries 238 random
 * bits, so there is nothing to brute-force, and a slow hash would cost every request milliseconds.
 */
final class ApiKeyFormat {

    static final String MARKER = "sk-ens-";
    static final int PREFIX_LENGTH = 12;
    static final int SECRET_LENGTH = 40;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    static String generate() {
        StringBuilder key = new StringBuilder(MARKER);
        for (int i = 0; i < PREFIX_LENGTH + SECRET_LENGTH; i++) {
            key.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return key.toString();
    }

    static boolean looksLikeKey(String token) {
        return token.startsWith(MARKER);
    }

    /** The lookup prefix, or null when the token is not shaped like a key. */
    static String prefix(String key) {
        if (key.length() != MARKER.length() + PREFIX_LENGTH + SECRET_LENGTH) {
            return null;
        }
        return key.substring(MARKER.length(), MARKER.length() + PREFIX_LENGTH);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
