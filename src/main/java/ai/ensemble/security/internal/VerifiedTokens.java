package ai.ensemble.security.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JWTs already verified, kept until they expire. A client sends the same token with many
 * requests, and checking an RSA signature every time costs more than all the rest of
 * authorisation. Keyed by the whole token string, so a changed token is verified afresh; roles
 * are still mapped from the groups on every request, so role changes apply at once.
 */
final class VerifiedTokens {

    record Verified(String subject, List<String> groups, Instant expiresAt) {
    }

    private final ConcurrentHashMap<String, Verified> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final Duration clockSkew;

    VerifiedTokens(int capacity, Duration clockSkew) {
        this.capacity = capacity;
        this.clockSkew = clockSkew;
    }

    Verified find(String token) {
        Verified verified = entries.get(token);
        if (verified != null && Instant.now().isAfter(verified.expiresAt().plus(clockSkew))) {
            entries.remove(token);
            return null;
        }
        return verified;
    }

    void remember(String token, Verified verified) {
        if (entries.size() >= capacity) {
            // Crude but bounded: a flood of distinct tokens only costs re-verification.
            entries.clear();
        }
        entries.put(token, verified);
    }
}
