package ai.ensemble.security;

import java.util.List;
import java.util.Optional;

/**
 * Gateway roles, the permissions they grant and the IdP groups mapped to them, for the admin API
 * and the console alike. Every change is validated in full before anything is written (an invalid
 * permission is an {@code ApiError} naming {@code permissions[i]}) and takes effect for the next
 * request.
 */
public interface Roles {

    /** A role as stored; built-in roles can be edited but not deleted. */
    record RoleView(String name, String description, List<String> permissions, boolean builtIn) {
    }

    /** What a create or update asks for; {@code permissions} is the whole new set. */
    record RoleChange(String name, String description, List<String> permissions) {
    }

    /** An IdP group whose members (people and tokens) get the role. */
    record GroupMapping(String group, String role) {
    }

    List<RoleView> list();

    Optional<RoleView> find(String name);

    RoleView create(RoleChange change);

    /** Replaces description (when given) and permissions. */
    RoleView update(String name, RoleChange change);

    /** Deletes a role that is not built in; its group mappings and key grants go with it. */
    void delete(String name);

    List<GroupMapping> mappings();

    GroupMapping map(GroupMapping mapping);

    void unmap(GroupMapping mapping);
}
