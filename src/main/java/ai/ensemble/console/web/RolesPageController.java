package ai.ensemble.console.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.security.Roles;
import ai.ensemble.security.Roles.GroupMapping;
import ai.ensemble.security.Roles.RoleChange;
import ai.ensemble.shared.ApiException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /console/roles} (permission {@code admin:roles}, checked by the console's chain): roles with
 * their permissions and mapped IdP groups; create, edit and delete roles, map and unmap groups.
 * Changes go through the same {@link Roles} service as the admin API, so its validation applies and
 * API callers see them on their next request. A refusal comes back as a message naming the field,
 * with what was typed kept in the form.
 */
@Controller
class RolesPageController {

    private final Roles roles;

    RolesPageController(Roles roles) {
        this.roles = roles;
    }

    @GetMapping("/console/roles")
    String page(Model model) {
        List<Roles.RoleView> all = roles.list();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        all.forEach(role -> groups.put(role.name(), new java.util.ArrayList<>()));
        for (GroupMapping mapping : roles.mappings()) {
            groups.computeIfAbsent(mapping.role(), r -> new java.util.ArrayList<>()).add(mapping.group());
        }
        model.addAttribute("roles", all);
        model.addAttribute("groups", groups);
        model.addAttribute("mappings", roles.mappings());
        return "console/roles";
    }

    @PostMapping("/console/roles")
    String create(@RequestParam String name, @RequestParam(defaultValue = "") String description,
                  @RequestParam(defaultValue = "") String permissions, RedirectAttributes redirect) {
        try {
            roles.create(new RoleChange(name.strip(), description.strip(), FormLists.split(permissions)));
            redirect.addFlashAttribute("notice", "Role '" + name.strip() + "' created.");
        } catch (ApiException e) {
            fail(redirect, e);
            redirect.addFlashAttribute("draft", Map.of("name", name, "description", description, "permissions", permissions));
        }
        return "redirect:/console/roles";
    }

    @PostMapping("/console/roles/{name}")
    String update(@PathVariable String name, @RequestParam(required = false) String description,
                  @RequestParam(defaultValue = "") String permissions, RedirectAttributes redirect) {
        try {
            roles.update(name, new RoleChange(name, description == null ? null : description.strip(), FormLists.split(permissions)));
            redirect.addFlashAttribute("notice", "Role '" + name + "' saved.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/roles";
    }

    @PostMapping("/console/roles/{name}/delete")
    String delete(@PathVariable String name, RedirectAttributes redirect) {
        try {
            roles.delete(name);
            redirect.addFlashAttribute("notice", "Role '" + name + "' deleted.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/roles";
    }

    @PostMapping("/console/roles/mappings")
    String map(@RequestParam(defaultValue = "") String group, @RequestParam(defaultValue = "") String role,
               RedirectAttributes redirect) {
        try {
            roles.map(new GroupMapping(group.strip(), role.strip()));
            redirect.addFlashAttribute("notice", "Group '" + group.strip() + "' now maps to role '" + role.strip() + "'.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/roles";
    }

    @PostMapping("/console/roles/mappings/delete")
    String unmap(@RequestParam String group, @RequestParam String role, RedirectAttributes redirect) {
        try {
            roles.unmap(new GroupMapping(group, role));
            redirect.addFlashAttribute("notice", "Group '" + group + "' no longer maps to role '" + role + "'.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/roles";
    }

    private static void fail(RedirectAttributes redirect, ApiException e) {
        redirect.addFlashAttribute("error", e.error().message());
        redirect.addFlashAttribute("errorField", e.error().param());
    }
}
