package ai.ensemble.security.internal;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import ai.ensemble.security.PermissionGrants;
import ai.ensemble.security.Permissions;
import ai.ensemble.security.Roles;
import ai.ensemble.shared.ApiError;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Roles, their permissions and the IdP groups mapped to them. Every change is one transaction and
 * takes effect for the next request on this replica (other replicas within the refresh interval).
 */
@Service
public class RoleAdministration implements Roles, PermissionGrants {

    private static final String ROLE_NAME = "[a-z][a-z0-9_-]{0,62}";

    private final JdbcClient jdbc;
    private final AccessControl accessControl;

    RoleAdministration(JdbcClient jdbc, AccessControl accessControl) {
        this.jdbc = jdbc;
        this.accessControl = accessControl;
    }

    @Override
    public List<RoleView> list() {
        return jdbc.sql(SELECT.formatted("true")).query((rs, n) -> view(rs.getString(1), rs.getString(2), rs.getArray(4), rs.getBoolean(3))).list();
    }

    @Override
    public Optional<RoleView> find(String name) {
        return jdbc.sql(SELECT.formatted("r.name = ?")).param(name)
                .query((rs, n) -> view(rs.getString(1), rs.getString(2), rs.getArray(4), rs.getBoolean(3))).optional();
    }

    boolean exists(String name) {
        return name != null && jdbc.sql("select count(*) from role where name = ?").param(name).query(Long.class).single() > 0;
    }

    @Override
    @Transactional
    public RoleView create(RoleChange change) {
        if (change.name() == null || !change.name().matches(ROLE_NAME)) {
            throw ApiError.invalidRequest("name", "'name' must match " + ROLE_NAME).exception();
        }
        List<String> permissions = validPermissions(change.permissions());
        if (exists(change.name())) {
            throw ApiError.conflict("name", "Role '" + change.name() + "' already exists").exception();
        }
        jdbc.sql("insert into role (name, description) values (?, ?)")
                .params(change.name(), change.description() == null ? "" : change.description()).update();
        grant(change.name(), permissions);
        invalidateAfterCommit();
        return find(change.name()).orElseThrow();
    }

    /** Replaces description and permissions; built-in roles can be changed but not deleted. */
    @Override
    @Transactional
    public RoleView update(String name, RoleChange change) {
        List<String> permissions = validPermissions(change.permissions());
        int updated = jdbc.sql("update role set description = coalesce(?, description) where name = ?")
                .params(change.description(), name).update();
        if (updated == 0) {
            throw roleNotFound(name);
        }
        jdbc.sql("delete from role_permission where role_name = ?").param(name).update();
        grant(name, permissions);
        invalidateAfterCommit();
        return find(name).orElseThrow();
    }

    @Override
    @Transactional
    public void delete(String name) {
        RoleView role = find(name).orElseThrow(() -> roleNotFound(name));
        if (role.builtIn()) {
            throw ApiError.conflict("name", "Built-in role '" + name + "' cannot be deleted").exception();
        }
        jdbc.sql("delete from role where name = ?").param(name).update();
        invalidateAfterCommit();
    }

    @Override
    public List<GroupMapping> mappings() {
        return jdbc.sql("select group_name, role_name from group_mapping order by group_name, role_name")
                .query((rs, n) -> new GroupMapping(rs.getString(1), rs.getString(2))).list();
    }

    @Override
    @Transactional
    public GroupMapping map(GroupMapping mapping) {
        if (mapping.group() == null || mapping.group().isBlank() || mapping.group().length() > 200) {
            throw ApiError.invalidRequest("group", "'group' is required and must be 1-200 characters").exception();
        }
        if (!exists(mapping.role())) {
            throw ApiError.invalidRequest("role", "Unknown role '" + mapping.role() + "'").exception();
        }
        jdbc.sql("insert into group_mapping (group_name, role_name) values (?, ?) on conflict do nothing")
                .params(mapping.group(), mapping.role()).update();
        invalidateAfterCommit();
        return mapping;
    }

    @Override
    @Transactional
    public void unmap(GroupMapping mapping) {
        int deleted = jdbc.sql("delete from group_mapping where group_name = ? and role_name = ?")
                .params(mapping.group(), mapping.role()).update();
        if (deleted == 0) {
            throw ApiError.notFound("group", "No mapping of group '" + mapping.group() + "' to role '" + mapping.role() + "'",
                    "mapping_not_found").exception();
        }
        invalidateAfterCommit();
    }

    @Override
    public List<String> rolesHolding(String permission) {
        return jdbc.sql("select role_name from role_permission where permission = ? order by role_name")
                .param(permission).query(String.class).list();
    }

    @Override
    @Transactional
    public void setRolesHolding(String permission, Collection<String> roles, String field) {
        if (!Permissions.valid(permission)) {
            throw new IllegalArgumentException("not a permission: " + permission);
        }
        for (String role : roles) {
            if (!exists(role)) {
                throw ApiError.invalidRequest(field, "Unknown role '" + role + "' in '" + field + "'").exception();
            }
        }
        jdbc.sql("delete from role_permission where permission = ?").param(permission).update();
        for (String role : roles.stream().distinct().toList()) {
            jdbc.sql("insert into role_permission (role_name, permission) values (?, ?)").params(role, permission).update();
        }
        invalidateAfterCommit();
    }

    @Override
    @Transactional
    public void revokeEverywhere(String permission) {
        jdbc.sql("delete from role_permission where permission = ?").param(permission).update();
        invalidateAfterCommit();
    }

    /** Invalidating before the commit would let a concurrent request cache the old grants again. */
    private void invalidateAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    accessControl.invalidate();
                }
            });
        } else {
            accessControl.invalidate();
        }
    }

    private static final String SELECT = """
            select r.name, r.description, r.built_in,
                   coalesce(array_agg(p.permission order by p.permission) filter (where p.permission is not null), '{}')
            from role r left join role_permission p on p.role_name = r.name
            where %s
            group by r.name order by r.name""";

    private static RoleView view(String name, String description, Array permissions, boolean builtIn) throws SQLException {
        return new RoleView(name, description, Arrays.asList((String[]) permissions.getArray()), builtIn);
    }

    private static List<String> validPermissions(List<String> permissions) {
        if (permissions == null) {
            throw ApiError.invalidRequest("permissions", "'permissions' is required (an empty list grants nothing)").exception();
        }
        for (int i = 0; i < permissions.size(); i++) {
            if (!Permissions.valid(permissions.get(i))) {
                throw ApiError.invalidRequest("permissions[" + i + "]", "'" + permissions.get(i) + "' is not a permission; "
                        + "use chat, audit:read, admin:<roles|keys|experts|policies|kbs>, expert:<id|*> or kb:<id|*>:read").exception();
            }
        }
        return permissions.stream().distinct().toList();
    }

    private void grant(String role, List<String> permissions) {
        for (String permission : permissions) {
            jdbc.sql("insert into role_permission (role_name, permission) values (?, ?)").params(role, permission).update();
        }
    }

    private static RuntimeException roleNotFound(String name) {
        return ApiError.notFound("name", "No role named '" + name + "'", "role_not_found").exception();
    }
}
