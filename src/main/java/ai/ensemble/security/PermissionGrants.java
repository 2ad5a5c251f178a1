package ai.ensemble.security;

import java.util.Collection;
import java.util.List;

/**
 * Which roles hold one exact permission, for modules that let administrators grant it from their
 * own objects (a knowledge base's readers are the roles holding {@code kb:<id>:read}). Changes join
 * the caller's transaction and apply to requests once it commits.
 */
public interface PermissionGrants {

    /** Roles holding exactly {@code permission} (wildcard grants such as {@code kb:*:read} are not listed). */
    List<String> rolesHolding(String permission);

    /**
     * Makes exactly {@code roles} hold {@code permission}.
     *
     * @param field the request field the roles came from, named in the 400 for an unknown role
     */
    void setRolesHolding(String permission, Collection<String> roles, String field);

    /** Removes {@code permission} from every role (its object is gone). */
    void revokeEverywhere(String permission);
}
