package ai.ensemble.router.web;

import ai.ensemble.router.internal.RouterEvaluation;
import ai.ensemble.router.internal.RouterStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/api/router}: the router's state. {@code POST /admin/api/router/evaluate}: labelled JSON Lines ({@code {"text","expert"}}) in;
 * accuracy, macro-F1, confusion matrix and fallback rate out, for the router and the
 * nearest-example baseline. {@code threshold} / {@code fallbackExpert} evaluate a candidate
 * configuration without changing the live one (permission {@code admin:experts}).
 */
@RestController
class RouterController {

    private final RouterEvaluation evaluation;
    private final RouterStatus status;

    RouterController(RouterEvaluation evaluation, RouterStatus status) {
        this.evaluation = evaluation;
        this.status = status;
    }

    /** The embedding model, the experts the classifier knows, examples per expert, last training, settings, health. */
    @GetMapping("/admin/api/router")
    RouterStatus.Status status() {
        return status.status();
    }

    @PostMapping(path = "/admin/api/router/evaluate",
            consumes = {"application/x-ndjson", "application/jsonl", "application/json-lines", "application/json", "text/plain"})
    RouterEvaluation.Result evaluate(@RequestBody String body, @RequestParam(required = false) Double threshold,
                                     @RequestParam(required = false) String fallbackExpert) {
        return evaluation.evaluate(body, threshold, fallbackExpert);
    }
}
