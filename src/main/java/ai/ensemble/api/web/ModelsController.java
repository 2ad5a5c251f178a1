package ai.ensemble.api.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertInfo;
import ai.ensemble.router.Router;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/models}: only the enabled experts the caller's roles allow. */
@RestController
class ModelsController {

    private final Router router;
    private final long created = Instant.now().getEpochSecond();

    ModelsController(Router router) {
        this.router = router;
    }

    @GetMapping("/v1/models")
    Map<String, Object> list() {
        List<Map<String, Object>> models = router.usable(Callers.current()).stream().map(this::model).toList();
        return Map.of("object", "list", "data", models);
    }

    /** An expert the caller may not use is reported as unknown, so its existence does not leak. */
    @GetMapping("/v1/models/{id}")
    Map<String, Object> one(@PathVariable String id) {
        return router.usable(Callers.current()).stream()
                .filter(expert -> expert.info().id().equals(id))
                .findFirst()
                .map(this::model)
                .orElseThrow(() -> ApiError.notFound("model", "The model '" + id + "' does not exist", "model_not_found").exception());
    }

    private Map<String, Object> model(Expert expert) {
        ExpertInfo info = expert.info();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", info.id());
        model.put("object", "model");
        model.put("created", created);
        model.put("owned_by", info.ownedBy());
        model.put("name", info.displayName());
        model.put("description", info.description());
        model.put("context_length", info.contextLength());
        return model;
    }
}
