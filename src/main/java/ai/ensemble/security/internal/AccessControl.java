package ai.ensemble.security.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Group→role and role→permission mappings, held in memory so that authorising a request costs no
 * query. Re-read after every change made through this replica and at least every
 * {@code ensemble.security.role-refresh}, so other replicas' changes arrive within that time.
 */
@Component
class AccessControl {

    private record Snapshot(Map<String, Set<String>> rolesByGroup, Map<String, Set<String>> permissionsByRole,
                            long loadedAtNanos) {
    }

    private final JdbcClient jdbc;
    private final long refreshNanos;
    private volatile Snapshot snapshot;

    AccessControl(JdbcClient jdbc, SecuritySettings settings) {
        this.jdbc = jdbc;
        this.refreshNanos = settings.roleRefresh().toNanos();
    }

    Set<String> rolesForGroups(Collection<String> groups) {
        Snapshot current = current();
        Set<String> roles = new TreeSet<>();
        for (String group : groups) {
            roles.addAll(current.rolesByGroup().getOrDefault(group, Set.of()));
        }
        return roles;
    }

    Set<String> permissionsOf(Collection<String> roles) {
        Snapshot current = current();
        Set<String> permissions = new HashSet<>();
        for (String role : roles) {
            permissions.addAll(current.permissionsByRole().getOrDefault(role, Set.of()));
        }
        return permissions;
    }

    void invalidate() {
        snapshot = null;
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        if (current == null || System.nanoTime() - current.loadedAtNanos() > refreshNanos) {
            current = load();
            snapshot = current;
        }
        return current;
    }

    private Snapshot load() {
        long started = System.nanoTime();
        Map<String, Set<String>> rolesByGroup = new HashMap<>();
        jdbc.sql("select group_name, role_name from group_mapping").query((rs, n) -> {
            rolesByGroup.computeIfAbsent(rs.getString(1), g -> new HashSet<>()).add(rs.getString(2));
            return null;
        }).list();
        Map<String, Set<String>> permissionsByRole = new HashMap<>();
        jdbc.sql("select role_name, permission from role_permission").query((rs, n) -> {
            permissionsByRole.computeIfAbsent(rs.getString(1), r -> new HashSet<>()).add(rs.getString(2));
            return null;
        }).list();
        return new Snapshot(Map.copyOf(rolesByGroup), Map.copyOf(permissionsByRole), started);
    }
}
