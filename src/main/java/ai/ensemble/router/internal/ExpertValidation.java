package ai.ensemble.router.internal;

import java.util.List;
import java.util.Map;

import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;

/**
 * The rules an expert definition must meet, whether it comes from configuration or the admin API.
 * Each failure names the field (as the admin API spells it) and the rule.
 */
final class ExpertValidation {

    static final String ID = "[A-Za-z0-9._-]{1,100}";
    static final String ROLE = "[a-z][a-z0-9_-]{0,62}";
    static final List<String> CLASSIFICATIONS = List.of("public", "internal", "confidential");
    static final int MAX_EXAMPLE_CHARACTERS = 4000;
    private static final Map<String, Integer> LEVELS = Map.of("public", 0, "internal", 1, "confidential", 2);

    private ExpertValidation() {
    }

    static void validate(ExpertDefinition d) {
        if (d.id() == null || !d.id().matches(ID)) {
            throw invalid("id", "'id' must be 1-100 letters, digits, '.', '_' or '-'");
        }
        if (d.id().equals("auto")) {
            throw invalid("id", "'auto' is reserved: it asks the router to choose");
        }
        if (d.type() == null || !List.of("upstream", "engine", "worker", "echo").contains(d.type())) {
            throw invalid("type", "'type' must be 'upstream', 'engine', 'worker' or 'echo'");
        }
        if (d.type().equals("worker") && (d.baseUrl() == null
                || !d.baseUrl().strip().matches("https?://[^/\\s,]+/?(\\s*,\\s*https?://[^/\\s,]+/?)*"))) {
            throw invalid("baseUrl", "'baseUrl' must list the inference workers as comma-separated http(s) URLs without a path, "
                    + "such as http://worker-0:8080,http://worker-1:8080, for a worker expert");
        }
        if (d.type().equals("upstream") && (d.baseUrl() == null || !d.baseUrl().strip().matches("https?://[^/\\s]+\\S*"))) {
            throw invalid("baseUrl", "'baseUrl' must be an http(s) URL such as http://vllm:8000/v1 for an upstream expert");
        }
        length("displayName", d.displayName(), 200);
        length("description", d.description(), 2000);
        length("systemPrompt", d.systemPrompt(), 20_000);
        if (d.contextLength() <= 0) {
            throw invalid("contextLength", "'contextLength' must be a positive number of tokens");
        }
        if (!(d.costWeight() >= 0) || Double.isInfinite(d.costWeight())) {
            throw invalid("costWeight", "'costWeight' must be a finite number of at least 0");
        }
        if (d.maxRetries() < 0 || d.maxRetries() > 10) {
            throw invalid("maxRetries", "'maxRetries' must be from 0 to 10");
        }
        positive("connectTimeoutMs", d.connectTimeout());
        positive("firstTokenTimeoutMs", d.firstTokenTimeout());
        positive("requestTimeoutMs", d.requestTimeout());
        if (d.dataClassification() != null && !CLASSIFICATIONS.contains(d.dataClassification())) {
            throw invalid("dataClassification", "'dataClassification' must be one of " + String.join(", ", CLASSIFICATIONS));
        }
        if (d.effectiveDataClassification().equals("confidential") && !d.runsOnPremises()) {
            throw invalid("dataClassification", "'confidential' data may only go to an on-premises expert (onPremises: true)");
        }
        for (int i = 0; i < d.allowedRoles().size(); i++) {
            String role = d.allowedRoles().get(i);
            if (role == null || !role.matches(ROLE)) {
                throw invalid("allowedRoles[" + i + "]", "'allowedRoles[" + i + "]' must be a role name matching " + ROLE);
            }
        }
        for (int i = 0; i < d.examples().size(); i++) {
            example("examples[" + i + "]", d.examples().get(i));
        }
    }

    static void example(String field, String text) {
        if (text == null || text.isBlank() || text.length() > MAX_EXAMPLE_CHARACTERS) {
            throw invalid(field, "'" + field + "' must be a non-blank text of at most " + MAX_EXAMPLE_CHARACTERS + " characters");
        }
    }

    /** Whether an expert cleared for {@code allowed} may receive data classified {@code requested}. */
    static boolean mayReceive(String allowed, String requested) {
        return LEVELS.get(allowed) >= LEVELS.get(requested);
    }

    static boolean knownClassification(String value) {
        return LEVELS.containsKey(value);
    }

    private static void length(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw invalid(field, "'" + field + "' must be at most " + max + " characters");
        }
    }

    private static void positive(String field, java.time.Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw invalid(field, "'" + field + "' must be a positive number of milliseconds");
        }
    }

    static ApiException invalid(String field, String message) {
        return ApiError.invalidRequest(field, message).exception();
    }
}
