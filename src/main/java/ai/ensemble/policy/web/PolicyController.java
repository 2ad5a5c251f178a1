package ai.ensemble.policy.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.ensemble.policy.Guardrails;
import ai.ensemble.policy.PolicyDefinition;
import ai.ensemble.policy.Screening;
import ai.ensemble.policy.internal.PolicyStore;
import ai.ensemble.policy.internal.PolicyStore.PolicyRequest;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/policies}: guardrail policies, and "test a text" against them; permission {@code admin:policies}. */
@RestController
@RequestMapping("/admin/api/policies")
class PolicyController {

    private final PolicyStore store;
    private final Guardrails guardrails;

    PolicyController(PolicyStore store, Guardrails guardrails) {
        this.store = store;
        this.guardrails = guardrails;
    }

    @GetMapping
    Map<String, Object> list() {
        return Map.of("data", store.list().stream().map(PolicyStore::view).toList());
    }

    @GetMapping("/{id}")
    Map<String, Object> one(@PathVariable String id) {
        return PolicyStore.view(store.find(id).orElseThrow(() -> PolicyStore.notFound(id)));
    }

    @PostMapping(consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody PolicyRequest request) {
        return PolicyStore.view(store.create(request, Callers.current().subject()));
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    Map<String, Object> replace(@PathVariable String id, @RequestBody PolicyRequest request) {
        return PolicyStore.view(store.replace(id, request, Callers.current().subject()));
    }

    @DeleteMapping("/{id}")
    Map<String, Object> delete(@PathVariable String id) {
        return PolicyStore.view(store.delete(id));
    }

    /** What the policies would do to a text: {@code {text, stage: input|output, policies?: [ids]}} (default: every enabled policy). */
    record TestRequest(String text, String stage, List<String> policies) {
    }

    @PostMapping(path = "/test", consumes = "application/json")
    Map<String, Object> test(@RequestBody TestRequest request) {
        if (request == null || request.text() == null) {
            throw ApiError.invalidRequest("text", "'text' is required").exception();
        }
        if (request.text().length() > 100_000) {
            throw ApiError.invalidRequest("text", "'text' may hold at most 100,000 characters").exception();
        }
        String stage = request.stage() == null ? "input" : request.stage();
        if (!stage.equals("input") && !stage.equals("output")) {
            throw ApiError.invalidRequest("stage", "'stage' must be input or output").exception();
        }
        List<PolicyDefinition> chosen = new ArrayList<>();
        if (request.policies() == null || request.policies().isEmpty()) {
            chosen.addAll(store.enabled());
        } else {
            for (int i = 0; i < request.policies().size(); i++) {
                String id = request.policies().get(i);
                int index = i;
                chosen.add(store.find(id).orElseThrow(() -> ApiError.invalidRequest("policies[" + index + "]",
                        "No policy with id '" + id + "'").exception()));
            }
        }
        Screening screening = guardrails.screenWith(chosen);
        return screening.report(request.text(), stage);
    }
}
