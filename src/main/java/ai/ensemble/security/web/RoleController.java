package ai.ensemble.security.web;

import java.util.List;
import java.util.Map;

import ai.ensemble.security.Roles;
import ai.ensemble.security.Roles.GroupMapping;
import ai.ensemble.security.Roles.RoleChange;
import ai.ensemble.security.Roles.RoleView;
import ai.ensemble.shared.ApiError;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/roles} and {@code /admin/api/group-mappings}: permission {@code admin:roles}. */
@RestController
class RoleController {

    private final Roles roles;

    RoleController(Roles roles) {
        this.roles = roles;
    }

    @GetMapping("/admin/api/roles")
    Map<String, List<RoleView>> list() {
        return Map.of("data", roles.list());
    }

    @GetMapping("/admin/api/roles/{name}")
    RoleView one(@PathVariable String name) {
        return roles.find(name).orElseThrow(() -> ApiError.notFound("name", "No role named '" + name + "'", "role_not_found").exception());
    }

    @PostMapping(path = "/admin/api/roles", consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    RoleView create(@RequestBody RoleChange change) {
        return roles.create(change);
    }

    @PutMapping(path = "/admin/api/roles/{name}", consumes = "application/json")
    RoleView update(@PathVariable String name, @RequestBody RoleChange change) {
        return roles.update(name, change);
    }

    @DeleteMapping("/admin/api/roles/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name) {
        roles.delete(name);
    }

    @GetMapping("/admin/api/group-mappings")
    Map<String, List<GroupMapping>> mappings() {
        return Map.of("data", roles.mappings());
    }

    @PostMapping(path = "/admin/api/group-mappings", consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    GroupMapping map(@RequestBody GroupMapping mapping) {
        return roles.map(mapping);
    }

    @DeleteMapping("/admin/api/group-mappings")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unmap(@RequestParam String group, @RequestParam String role) {
        roles.unmap(new GroupMapping(group, role));
    }
}
