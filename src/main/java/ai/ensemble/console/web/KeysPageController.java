package ai.ensemble.console.web;

import java.util.Arrays;
import java.util.UUID;

import ai.ensemble.security.ApiKeys;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** {@code /console/keys} (permission {@code admin:keys}, checked by the console's chain): list, issue, revoke. */
@Controller
class KeysPageController {

    private final ApiKeys keys;

    KeysPageController(ApiKeys keys) {
        this.keys = keys;
    }

    @GetMapping("/console/keys")
    String list(Model model) {
        model.addAttribute("keys", keys.list());
        return "console/keys";
    }

    /** The secret travels once, as a flash attribute, to the page the browser is sent to next. */
    @PostMapping("/console/keys")
    String issue(@RequestParam String name, @RequestParam(defaultValue = "") String roles, RedirectAttributes redirect) {
        try {
            ApiKeys.IssuedKey issued = keys.issue(new ApiKeys.NewKey(name.strip(),
                    Arrays.stream(roles.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList(), null),
                    Callers.current().subject());
            redirect.addFlashAttribute("issued", issued);
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
        }
        return "redirect:/console/keys";
    }

    @PostMapping("/console/keys/{id}/revoke")
    String revoke(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            keys.revoke(id);
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
        }
        return "redirect:/console/keys";
    }
}
