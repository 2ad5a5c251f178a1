package ai.ensemble.console.web;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import ai.ensemble.quota.QuotaLimits;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /console/quotas} (permission {@code admin:policies}, checked by the console's chain): every
 * quota with its usage in the current window, a form to add one, its limits changed in place, and
 * deletion. A broken rule comes back as a 400 with the page, the field named and nothing written.
 */
@Controller
class QuotasPageController {

    private final QuotaLimits quotas;

    QuotasPageController(QuotaLimits quotas) {
        this.quotas = quotas;
    }

    @GetMapping("/console/quotas")
    String list(Model model) {
        model.addAttribute("quotas", quotas.list());
        if (!model.containsAttribute("draft")) {
            model.addAttribute("draft", Map.of("subjectType", "user", "window", "day"));
        }
        return "console/quotas";
    }

    @PostMapping("/console/quotas")
    String create(@RequestParam Map<String, String> fields, Model model, HttpServletResponse response, RedirectAttributes redirect) {
        try {
            QuotaLimits.Quota created = quotas.create(new QuotaLimits.NewQuota(fields.get("subjectType"), fields.get("subject"),
                    fields.get("window"), number(fields, "maxTokens", Long::valueOf), number(fields, "maxRequests", Integer::valueOf)),
                    Callers.current().subject());
            redirect.addFlashAttribute("saved", "Quota for " + created.subjectType() + " '" + created.subject() + "' created.");
            return "redirect:/console/quotas";
        } catch (ApiException e) {
            model.addAttribute("draft", fields);
            return refused(model, e, null, response);
        }
    }

    /** New limits for one quota (blank for none; at least one). */
    @PostMapping("/console/quotas/{id}")
    String change(@PathVariable UUID id, @RequestParam Map<String, String> fields, Model model, HttpServletResponse response,
                  RedirectAttributes redirect) {
        try {
            QuotaLimits.Quota changed = quotas.changeLimits(id, number(fields, "maxTokens", Long::valueOf),
                    number(fields, "maxRequests", Integer::valueOf));
            redirect.addFlashAttribute("saved", "Limits of the quota for " + changed.subjectType() + " '" + changed.subject() + "' saved.");
            return "redirect:/console/quotas";
        } catch (ApiException e) {
            return refused(model, e, id, response);
        }
    }

    @PostMapping("/console/quotas/{id}/delete")
    String delete(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            QuotaLimits.Quota deleted = quotas.delete(id);
            redirect.addFlashAttribute("saved", "Quota for " + deleted.subjectType() + " '" + deleted.subject() + "' deleted.");
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
        }
        return "redirect:/console/quotas";
    }

    private String refused(Model model, ApiException e, UUID quota, HttpServletResponse response) {
        response.setStatus(e.error().status().value());
        String param = e.error().param();
        model.addAttribute("error", (param == null ? "" : param + ": ") + e.error().message());
        model.addAttribute("errorField", param == null ? "" : param);
        model.addAttribute("errorQuota", quota);
        return list(model);
    }

    private static <T> T number(Map<String, String> fields, String field, Function<String, T> parse) {
        String value = fields.getOrDefault(field, "").strip();
        if (value.isEmpty()) {
            return null;
        }
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be a whole number, not '" + value + "'").exception();
        }
    }
}
