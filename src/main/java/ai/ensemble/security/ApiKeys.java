package ai.ensemble.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues, lists and revokes API keys. The secret exists only in the {@link IssuedKey} that issues
 * it; invalid input is an {@code ApiError} naming the field. The {@code Own} methods are for people
 * managing their own keys without {@code admin:keys}: they see and revoke only keys they own, and
 * may give a key only roles they hold themselves.
 */
public interface ApiKeys {

    record NewKey(String name, List<String> roles, Instant expiresAt) {
    }

    record KeyView(UUID id, String name, String prefix, List<String> roles, String owner,
                   Instant createdAt, Instant expiresAt, Instant revokedAt) {
    }

    record IssuedKey(KeyView key, String secret) {
    }

    IssuedKey issue(NewKey request, String owner);

    List<KeyView> list();

    Optional<KeyView> find(UUID id);

    KeyView revoke(UUID id);

    /** The keys whose owner is {@code owner}, oldest first. */
    List<KeyView> ownedBy(String owner);

    /**
     * Issues a key owned by {@code caller}, whose roles must all be roles the caller holds
     * (else a 400 naming {@code roles[i]}), so that nobody gains through a key what they lack.
     */
    IssuedKey issueOwn(NewKey request, Caller caller);

    /** Revokes the key only when {@code owner} owns it; anyone else's key is a 404, as if it did not exist. */
    KeyView revokeOwn(UUID id, String owner);
}
