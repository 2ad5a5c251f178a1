package ai.ensemble.console.web;

import java.util.List;

import ai.ensemble.expert.ChatMessage;
import ai.ensemble.router.ExpertRegistry;
import ai.ensemble.router.Route;
import ai.ensemble.router.Router;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /console/experts} (permission {@code admin:experts}, checked by the console's chain): the
 * registry, one expert's editable fields, enabling and disabling, its routing examples, and "try a
 * query", which asks the live router (as the signed-in admin, without generating anything) and shows
 * its decision with every expert's score.
 */
@Controller
class ExpertsPageController {

    private static final int MAX_QUERY_CHARACTERS = 4000;

    private final ExpertRegistry experts;
    private final Router router;

    ExpertsPageController(ExpertRegistry experts, Router router) {
        this.experts = experts;
        this.router = router;
    }

    @GetMapping("/console/experts")
    String list(Model model) {
        model.addAttribute("experts", experts.experts());
        return "console/experts";
    }

    /** The router's decision for a query: a fragment for htmx, or the whole page without script. */
    @PostMapping("/console/experts/try")
    String tryQuery(@RequestParam(defaultValue = "") String query,
                    @RequestHeader(name = "HX-Request", required = false) String htmx, Model model,
                    HttpServletResponse response) {
        model.addAttribute("query", query);
        try {
            if (query.isBlank() || query.length() > MAX_QUERY_CHARACTERS) {
                throw ApiError.invalidRequest("query", "'query' must be a non-blank text of at most "
                        + MAX_QUERY_CHARACTERS + " characters").exception();
            }
            Route route = router.route(Callers.current(), Router.AUTO, List.of(new ChatMessage("user", query)), false, null);
            model.addAttribute("decision", route.decision());
        } catch (ApiException e) {
            model.addAttribute("tryError", e.error().message());
            if (htmx != null) {
                return "console/experts :: decision"; // htmx swaps only 2xx answers; the message is the answer
            }
            response.setStatus(e.error().status().value());
        }
        if (htmx != null) {
            return "console/experts :: decision";
        }
        model.addAttribute("experts", experts.experts());
        return "console/experts";
    }

    @GetMapping("/console/experts/{id}")
    String expert(@PathVariable String id, Model model, HttpServletResponse response) {
        try {
            model.addAttribute("expert", experts.expert(id));
        } catch (ApiException e) { // an unknown id: the list, with the reason, under the error's status
            response.setStatus(e.error().status().value());
            model.addAttribute("error", e.error().message());
            return list(model);
        }
        model.addAttribute("examples", experts.examples(id));
        return "console/expert";
    }

    @PostMapping("/console/experts/{id}")
    String edit(@PathVariable String id, @RequestParam(defaultValue = "") String displayName,
                @RequestParam(defaultValue = "") String description, @RequestParam(defaultValue = "") String systemPrompt,
                @RequestParam(defaultValue = "1") String costWeight, @RequestParam(defaultValue = "") String allowedRoles,
                RedirectAttributes redirect) {
        try {
            double weight;
            try {
                weight = Double.parseDouble(costWeight.strip());
            } catch (NumberFormatException e) {
                throw ApiError.invalidRequest("costWeight", "'costWeight' must be a number of at least 0").exception();
            }
            experts.edit(id, new ExpertRegistry.Edit(displayName.isBlank() ? null : displayName.strip(), description.strip(),
                    systemPrompt, weight, FormLists.split(allowedRoles)));
            redirect.addFlashAttribute("notice", "Expert '" + id + "' saved.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/experts/" + id;
    }

    @PostMapping("/console/experts/{id}/enabled")
    String enable(@PathVariable String id, @RequestParam boolean enabled,
                  @RequestParam(defaultValue = "list") String back, RedirectAttributes redirect) {
        try {
            experts.setEnabled(id, enabled);
            redirect.addFlashAttribute("notice", "Expert '" + id + "' " + (enabled ? "enabled" : "disabled") + ".");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return back.equals("expert") ? "redirect:/console/experts/" + id : "redirect:/console/experts";
    }

    @PostMapping("/console/experts/{id}/examples")
    String addExample(@PathVariable String id, @RequestParam(defaultValue = "") String text, RedirectAttributes redirect) {
        try {
            boolean added = experts.addExample(id, text);
            redirect.addFlashAttribute("notice", added ? "Example added; the router has retrained." : "That example was already there.");
        } catch (ApiException e) {
            fail(redirect, e);
            redirect.addFlashAttribute("draftExample", text);
        }
        return "redirect:/console/experts/" + id;
    }

    @PostMapping("/console/experts/{id}/examples/{exampleId}/delete")
    String deleteExample(@PathVariable String id, @PathVariable long exampleId, RedirectAttributes redirect) {
        try {
            experts.deleteExample(id, exampleId);
            redirect.addFlashAttribute("notice", "Example deleted; the router has retrained.");
        } catch (ApiException e) {
            fail(redirect, e);
        }
        return "redirect:/console/experts/" + id;
    }

    private static void fail(RedirectAttributes redirect, ApiException e) {
        redirect.addFlashAttribute("error", e.error().message());
        redirect.addFlashAttribute("errorField", e.error().param());
    }
}
