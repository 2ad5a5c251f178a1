package ai.ensemble.console.web;

import ai.ensemble.policy.PolicyAdministration;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /console/policies} (permission {@code admin:policies}, checked by the console's chain): the
 * guardrail policies, a form to create and edit one (the policy module's rules; a broken one is shown
 * next to its field with a 400 and nothing is written), deletion, and "test a text" through htmx.
 */
@Controller
class PoliciesPageController {

    private final PolicyAdministration policies;

    PoliciesPageController(PolicyAdministration policies) {
        this.policies = policies;
    }

    @GetMapping("/console/policies")
    String list(Model model) {
        model.addAttribute("policies", policies.list());
        return "console/policies";
    }

    @GetMapping("/console/policies/new")
    String blank(Model model) {
        return form(model, PolicyForm.blank(), true);
    }

    @GetMapping("/console/policies/{id}")
    String edit(@PathVariable String id, Model model) {
        return form(model, PolicyForm.of(policies.find(id).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "No policy with id '" + id + "'"))), false);
    }

    @PostMapping("/console/policies")
    String create(@RequestParam MultiValueMap<String, String> fields, Model model, HttpServletResponse response,
                  RedirectAttributes redirect) {
        PolicyForm form = PolicyForm.from(fields, null);
        try {
            policies.create(form.draft(), Callers.current().subject());
        } catch (ApiException e) {
            return refused(model, form, true, e, response);
        }
        redirect.addFlashAttribute("saved", "Policy '" + form.id() + "' created.");
        return "redirect:/console/policies/" + form.id();
    }

    @PostMapping("/console/policies/{id}")
    String replace(@PathVariable String id, @RequestParam MultiValueMap<String, String> fields, Model model,
                   HttpServletResponse response, RedirectAttributes redirect) {
        PolicyForm form = PolicyForm.from(fields, id);
        try {
            policies.replace(id, form.draft(), Callers.current().subject());
        } catch (ApiException e) {
            return refused(model, form, false, e, response);
        }
        redirect.addFlashAttribute("saved", "Policy '" + id + "' saved.");
        return "redirect:/console/policies/" + id;
    }

    @PostMapping("/console/policies/{id}/delete")
    String delete(@PathVariable String id, RedirectAttributes redirect) {
        try {
            policies.delete(id);
            redirect.addFlashAttribute("saved", "Policy '" + id + "' deleted.");
        } catch (ApiException e) {
            redirect.addFlashAttribute("error", e.error().message());
        }
        return "redirect:/console/policies";
    }

    /** "Test a text": one policy ({@code policy}) or every enabled one covering {@code role}; htmx swaps the fragment in. */
    @PostMapping("/console/policies/test")
    String test(@RequestParam(defaultValue = "") String text, @RequestParam(defaultValue = "input") String stage,
                @RequestParam(required = false) String policy, @RequestParam(required = false) String role, Model model,
                HttpServletResponse response) {
        try {
            PolicyAdministration.TestResult result = policies.test(new PolicyAdministration.TextTest(text, stage, policy, role));
            model.addAttribute("result", result);
            model.addAttribute("steps", Highlights.of(result));
        } catch (ApiException e) {
            response.setStatus(e.error().status().value());
            model.addAttribute("testError", e.error().message());
        }
        return "console/policy-test :: result";
    }

    private String form(Model model, PolicyForm form, boolean creating) {
        model.addAttribute("form", form);
        model.addAttribute("creating", creating);
        model.addAttribute("pageTitle", creating ? "New policy" : "Policy " + form.id());
        model.addAttribute("detectorIds", policies.detectorIds());
        model.addAttribute("entityTypes", PolicyForm.entityTypes());
        return "console/policy";
    }

    /** The form as submitted, with the rule it broke named above it and its field marked: 400 (409 for a taken id). */
    private String refused(Model model, PolicyForm form, boolean creating, ApiException e, HttpServletResponse response) {
        response.setStatus(e.error().status().value());
        String param = e.error().param();
        model.addAttribute("error", (param == null ? "" : param + ": ") + e.error().message());
        model.addAttribute("errorField", param == null ? "" : param.split("[\\[.]", 2)[0]);
        return form(model, form, creating);
    }
}
