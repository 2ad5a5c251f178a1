package ai.ensemble.api.web;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import ai.ensemble.router.RoutingDecision;

/**
 * The routing decision as response headers: {@code X-Ensemble-Expert} always; when the router
 * chose, {@code X-Ensemble-Route-Confidence}; when another expert than the predicted one answered,
 * {@code X-Ensemble-Fallback} with the reason ({@code low_confidence}, {@code unhealthy}, ...).
 */
final class RoutingHeaders {

    static final String EXPERT = "X-Ensemble-Expert";
    static final String CONFIDENCE = "X-Ensemble-Route-Confidence";
    static final String FALLBACK = "X-Ensemble-Fallback";
    static final String CLASSIFICATION = "X-Ensemble-Data-Classification";

    private RoutingHeaders() {
    }

    static Map<String, String> of(RoutingDecision decision) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(EXPERT, decision.expert());
        if (decision.confidence() != null) {
            headers.put(CONFIDENCE, String.format(Locale.ROOT, "%.4f", decision.confidence()));
        }
        if (decision.fallback()) {
            headers.put(FALLBACK, decision.fallbackReason() == null ? "true" : decision.fallbackReason());
        }
        return headers;
    }
}
