package ai.ensemble.policy.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.ensemble.guardrail.ActionPolicy;
import ai.ensemble.guardrail.Detectors;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Redactor;
import ai.ensemble.policy.Guardrails;
import ai.ensemble.policy.PolicyDefinition;
import ai.ensemble.policy.Screening;
import ai.ensemble.policy.internal.GuardrailEvaluator;
import ai.ensemble.policy.internal.PolicyStore;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/guardrails/check}: what the caller's own policies would do to a text (permission
 * {@code chat}); {@code POST /admin/api/guardrails/evaluate}: detectors' precision and recall on
 * labelled JSONL (permission {@code admin:policies}).
 */
@RestController
class GuardrailController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Guardrails guardrails;
    private final PolicyStore store;

    GuardrailController(Guardrails guardrails, PolicyStore store) {
        this.guardrails = guardrails;
        this.store = store;
    }

    /** {@code {text, stage: input|output, model?}}: {@code model} picks the policies scoped to that expert. */
    record CheckRequest(String text, String stage, String model) {
    }

    @PostMapping(path = "/api/guardrails/check", consumes = "application/json")
    Map<String, Object> check(@RequestBody CheckRequest request, HttpServletRequest http) {
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
        Screening screening = guardrails.screen(Callers.current(), http.getHeader("X-Client-App"), request.model());
        return screening.report(request.text(), stage);
    }

    /**
     * Labelled JSONL, one {@code {"text": ..., "spans": [{"type": "email", "start": 0, "end": 12}]}} per line
     * (types as the API names them: email, phone, credit_card, …). {@code ?policy=} measures that policy's
     * detectors at its threshold; without it, every built-in detector at the default threshold.
     */
    @PostMapping(path = "/admin/api/guardrails/evaluate", consumes = {"application/x-ndjson", "application/jsonl", "text/plain"})
    Map<String, Object> evaluate(@RequestBody String body, @RequestParam(required = false) String policy) throws IOException {
        List<GuardrailEvaluator.Sample> samples = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new StringReader(body == null ? "" : body));
        int number = 0;
        for (String line; (line = lines.readLine()) != null; ) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            samples.add(sample(line, number));
        }
        if (samples.isEmpty()) {
            throw ApiError.invalidRequest("body", "The body must hold at least one JSON line {\"text\", \"spans\"}").exception();
        }
        List<Redactor> redactors = new ArrayList<>();
        if (policy == null) {
            redactors.add(new Redactor(Detectors.all(), ActionPolicy.redactAll()));
        } else {
            PolicyDefinition chosen = store.find(policy).orElseThrow(() -> ApiError.invalidRequest("policy",
                    "No policy with id '" + policy + "'").exception());
            redactors.addAll(guardrails.redactors(chosen));
        }
        Map<String, Object> out = new LinkedHashMap<>(GuardrailEvaluator.evaluate(redactors, samples));
        out.put("policy", policy);
        return out;
    }

    private static GuardrailEvaluator.Sample sample(String line, int number) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JacksonException e) {
            throw ApiError.invalidRequest("line " + number, "Line " + number + " is not valid JSON").exception();
        }
        if (!row.path("text").isString()) {
            throw ApiError.invalidRequest("line " + number + ".text", "Line " + number + " needs a string 'text'").exception();
        }
        String text = row.get("text").asString();
        List<GuardrailEvaluator.Label> labels = new ArrayList<>();
        int index = 0;
        for (JsonNode span : row.path("spans")) {
            String at = "line " + number + ".spans[" + index++ + "]";
            EntityType type;
            try {
                type = EntityType.valueOf(span.path("type").asString("").toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidRequest(at + ".type", "Unknown type '" + span.path("type").asString("") + "'").exception();
            }
            int start = span.path("start").asInt(-1);
            int end = span.path("end").asInt(-1);
            if (start < 0 || end <= start || end > text.length()) {
                throw ApiError.invalidRequest(at, "A span needs 0 <= start < end <= the text's length").exception();
            }
            labels.add(new GuardrailEvaluator.Label(type, start, end));
        }
        return new GuardrailEvaluator.Sample(text, labels);
    }
}
