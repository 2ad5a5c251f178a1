package ai.ensemble.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues, lists and revokes API keys. The secret exists only in the {@link IssuedKey} that issues
 * it; invalid input is an {@code ApiError} naming the field.
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
}
