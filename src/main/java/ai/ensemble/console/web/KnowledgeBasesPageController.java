package ai.ensemble.console.web;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import ai.ensemble.rag.KnowledgeBaseManagement;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /console/kbs} (permission {@code admin:kbs}, checked by the console's chain): list, create
 * and delete knowledge bases and choose which roles may read each. A refused form comes back with
 * the server's message naming the field, and the values as typed.
 */
@Controller
class KnowledgeBasesPageController {

    private final KnowledgeBaseManagement knowledgeBases;

    KnowledgeBasesPageController(KnowledgeBaseManagement knowledgeBases) {
        this.knowledgeBases = knowledgeBases;
    }

    @GetMapping("/console/kbs")
    String list(Model model) {
        model.addAttribute("kbs", knowledgeBases.list());
        return "console/kbs";
    }

    @PostMapping("/console/kbs")
    String create(@RequestParam(defaultValue = "") String id, @RequestParam(defaultValue = "") String name,
                  @RequestParam(defaultValue = "") String description, @RequestParam(defaultValue = "") String readRoles,
                  RedirectAttributes redirect) {
        try {
            KnowledgeBaseManagement.KnowledgeBase created = knowledgeBases.create(id.strip(), name, description, roles(readRoles),
                    Callers.current().subject());
            redirect.addFlashAttribute("message", "Knowledge base '" + created.id() + "' created.");
            return "redirect:/console/kbs/" + created.id();
        } catch (ApiException e) {
            refused(redirect, e);
            redirect.addFlashAttribute("form", Map.of("id", id, "name", name, "description", description, "readRoles", readRoles));
            return "redirect:/console/kbs";
        }
    }

    /** The ACL: exactly these roles hold {@code kb:<id>:read} afterwards. */
    @PostMapping("/console/kbs/{id}/acl")
    String readers(@PathVariable String id, @RequestParam(defaultValue = "") String readRoles, RedirectAttributes redirect) {
        try {
            knowledgeBases.setReadRoles(id, roles(readRoles));
            redirect.addFlashAttribute("message", "Readers of '" + id + "' saved.");
        } catch (ApiException e) {
            refused(redirect, e);
            redirect.addFlashAttribute("aclForm", readRoles);
        }
        return "redirect:/console/kbs/" + id;
    }

    @PostMapping("/console/kbs/{id}/delete")
    String delete(@PathVariable String id, RedirectAttributes redirect) {
        try {
            knowledgeBases.delete(id);
            redirect.addFlashAttribute("message", "Knowledge base '" + id + "' deleted with its documents.");
        } catch (ApiException e) {
            refused(redirect, e);
        }
        return "redirect:/console/kbs";
    }

    static List<String> roles(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(r -> !r.isEmpty()).distinct().toList();
    }

    static void refused(RedirectAttributes redirect, ApiException e) {
        redirect.addFlashAttribute("error", e.error().message());
        redirect.addFlashAttribute("errorField", e.error().param() == null ? "" : e.error().param());
    }
}
