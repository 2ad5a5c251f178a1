package ai.ensemble.router.web;

import java.util.List;
import java.util.Map;

import ai.ensemble.router.internal.ExpertAdministration;
import ai.ensemble.router.internal.ExpertAdministration.ExampleView;
import ai.ensemble.router.internal.ExpertAdministration.ExamplesAdded;
import ai.ensemble.router.internal.ExpertChange;
import ai.ensemble.router.internal.ExpertView;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/api/experts}: the expert registry and each expert's example utterances
 * (permission {@code admin:experts}). Examples are a JSON array ({@code ["text", ...]} or
 * {@code [{"text": ...}]}) or, with {@code Content-Type: application/x-ndjson}, JSON Lines.
 */
@RestController
class ExpertController {

    private final ExpertAdministration experts;
    private final StrictJson json;

    ExpertController(ExpertAdministration experts, StrictJson json) {
        this.experts = experts;
        this.json = json;
    }

    @GetMapping("/admin/api/experts")
    Map<String, List<ExpertView>> list() {
        return Map.of("data", experts.list());
    }

    @GetMapping("/admin/api/experts/{id}")
    ExpertView one(@PathVariable String id) {
        return experts.get(id);
    }

    @PostMapping(path = "/admin/api/experts", consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    ExpertView create(@RequestBody String body) {
        return experts.create(json.read(body, ExpertChange.class));
    }

    @PutMapping(path = "/admin/api/experts/{id}", consumes = "application/json")
    ExpertView update(@PathVariable String id, @RequestBody String body) {
        return experts.update(id, json.read(body, ExpertChange.class));
    }

    @DeleteMapping("/admin/api/experts/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        experts.delete(id);
    }

    @GetMapping("/admin/api/experts/{id}/examples")
    Map<String, List<ExampleView>> examples(@PathVariable String id) {
        return Map.of("data", experts.examples(id));
    }

    @PostMapping(path = "/admin/api/experts/{id}/examples",
            consumes = {"application/json", "application/x-ndjson", "application/jsonl", "application/json-lines"})
    @ResponseStatus(HttpStatus.CREATED)
    ExamplesAdded addExamples(@PathVariable String id, @RequestBody String body, HttpServletRequest request) {
        return experts.addExamples(id, body, !request.getContentType().startsWith("application/json;")
                && !request.getContentType().equals("application/json"));
    }

    @DeleteMapping("/admin/api/experts/{id}/examples/{exampleId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteExample(@PathVariable String id, @PathVariable long exampleId) {
        experts.deleteExample(id, exampleId);
    }

    @DeleteMapping("/admin/api/experts/{id}/examples")
    Map<String, Integer> deleteExamples(@PathVariable String id) {
        return Map.of("deleted", experts.deleteExamples(id));
    }

    @PostMapping("/admin/api/experts/{id}/probe")
    Object probe(@PathVariable String id) {
        return experts.probe(id);
    }
}
