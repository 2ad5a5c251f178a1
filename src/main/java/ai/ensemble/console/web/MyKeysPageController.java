package ai.ensemble.console.web;

import java.util.UUID;

import ai.ensemble.security.ApiKeys;
import ai.ensemble.security.Caller;
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
 * {@code /console/my-keys} (permission {@code chat}, checked by the console's chain): a person's own
 * API keys. Ownership is checked on the server by {@link ApiKeys}' {@code Own} methods, so a forged
 * revoke of someone else's key id fails like an unknown id, and a key may carry only roles its owner
 * holds.
 */
@Controller
class MyKeysPageController {

    private final ApiKeys keys;

    MyKeysPageController(ApiKeys keys) {
        this.keys = keys;
    }

    @GetMapping("/console/my-keys")
    String list(Model model) {
        Caller caller = Callers.current();
        model.addAttribute("keys", keys.ownedBy(caller.subject()));
        model.addAttribute("myRoles", caller.roles().stream().sorted().toList());
        return "console/my-keys";
    }

    /** The secret travels once, as a flash attribute, to the page the browser is sent to next. */
    @PostMapping("/console/my-keys")
    String issue(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String roles,
                 RedirectAttributes redirect) {
        try {
            redirect.addFlashAttribute("issued", keys.issueOwn(new ApiKeys.NewKey(name.strip(), FormLists.split(roles), null),
                    Callers.current()));
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
            redirect.addFlashAttribute("errorField", e.error().param());
            redirect.addFlashAttribute("draft", java.util.Map.of("name", name, "roles", roles));
        }
        return "redirect:/console/my-keys";
    }

    @PostMapping("/console/my-keys/{id}/revoke")
    String revoke(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            keys.revokeOwn(id, Callers.current().subject());
            redirect.addFlashAttribute("notice", "Key revoked.");
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
            redirect.addFlashAttribute("errorField", e.error().param());
        }
        return "redirect:/console/my-keys";
    }
}
