package ai.ensemble.security;

import java.util.Set;
import java.util.UUID;

/**
 * An authenticated caller: subject (JWT {@code sub} or {@code key:<name>}), gateway roles, the
 * permissions those roles grant, and the API key used, if any.
 */
public record Caller(String subject, CallerType type, Set<String> roles, Set<String> permissions, UUID apiKeyId) {

    public Caller {
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
    }

    /** Whether any granted permission implies {@code permission}, wildcards included. */
    public boolean can(String permission) {
        if (permissions.contains(permission)) {
            return true;
        }
        for (String granted : permissions) {
            if (Permissions.implies(granted, permission)) {
                return true;
            }
        }
        return false;
    }
}
