package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Expert;
import ai.ensemble.router.Route;
import ai.ensemble.router.Router;
import ai.ensemble.router.RouterSettings;
import ai.ensemble.router.RoutingDecision;
import ai.ensemble.router.internal.ExpertCatalog.Entry;
import ai.ensemble.router.internal.ExpertCatalog.Snapshot;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Permissions;
import ai.ensemble.shared.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The routing decision. Only experts the caller may use take part: enabled, permitted
 * ({@code expert:<id>} and, where set, one of the expert's roles) and cleared for the request's
 * data classification. Among those the classifier's probabilities are renormalised, the best is
 * chosen unless its probability is below the threshold (then the fallback expert), and unhealthy
 * experts are passed over for the next best.
 */
@Service
class RoutingService implements Router {

    private static final Logger log = LoggerFactory.getLogger(RoutingService.class);
    static final String CLASSIFICATION_HEADER = "X-Ensemble-Data-Classification";

    private final ExpertCatalog catalog;
    private final ExpertHealth health;
    private final RouterSettings settings;
    private final MeterRegistry meters;

    RoutingService(ExpertCatalog catalog, ExpertHealth health, RouterSettings settings, MeterRegistry meters) {
        this.catalog = catalog;
        this.health = health;
        this.settings = settings;
        this.meters = meters;
    }

    @Override
    public Route route(Caller caller, String model, List<ChatMessage> messages, boolean stream, String dataClassification) {
        String level = dataClassification == null || dataClassification.isBlank()
                ? settings.defaultDataClassification() : dataClassification.strip().toLowerCase(java.util.Locale.ROOT);
        if (!ExpertValidation.knownClassification(level)) {
            throw ApiError.invalidRequest(CLASSIFICATION_HEADER, "Header " + CLASSIFICATION_HEADER + " must be one of "
                    + String.join(", ", ExpertValidation.CLASSIFICATIONS)).exception();
        }
        Snapshot snapshot = catalog.snapshot();
        if (model != null && !model.equals(AUTO)) {
            return explicit(snapshot, caller, model, level, stream);
        }
        int promptTokens = estimatedTokens(messages);
        long started = System.nanoTime();
        List<Entry> cleared = snapshot.experts().values().stream()
                .filter(e -> permitted(e, caller) && ExpertValidation.mayReceive(e.definition().effectiveDataClassification(), level))
                .toList();
        if (cleared.isEmpty()) {
            throw ApiError.forbidden("No expert you may use can receive " + level + " data; ask for a role with "
                    + "'expert:<id>' permissions").exception();
        }
        // Capabilities: only experts that stream when asked to, and whose context holds the prompt.
        List<Entry> usable = cleared.stream()
                .filter(e -> !stream || e.definition().streaming())
                .filter(e -> e.expert().info().contextLength() >= promptTokens)
                .toList();
        if (usable.isEmpty()) {
            throw ApiError.invalidRequest("messages", "No expert you may use " + (stream ? "streams and " : "")
                    + "has a context of about " + promptTokens + " tokens; shorten the conversation"
                    + (stream ? " or ask without streaming" : "")).exception();
        }
        String text = routingText(messages);
        Ranking ranking = rank(snapshot, usable, () -> queryVector(text), settings.confidenceThreshold(),
                settings.fallbackExpert());
        List<String> skipped = new ArrayList<>();
        String chosen = null;
        for (String id : ranking.order()) {
            if (health.healthy(id)) {
                chosen = id;
                break;
            }
            skipped.add(id);
        }
        if (chosen == null) {
            throw ApiError.unavailable("Every expert you may use is unhealthy (" + String.join(", ", skipped) + "); retry later",
                    "experts_unavailable").exception();
        }
        boolean fallback = !chosen.equals(ranking.predicted());
        String reason = !fallback ? null : chosen.equals(ranking.order().getFirst()) ? ranking.reason() : "unhealthy";
        Map<String, Object> shadow = shadow(snapshot, usable, ranking, chosen);
        long elapsed = System.nanoTime() - started;
        double latencyMs = Math.round(elapsed / 10_000.0) / 100.0;
        Counter.builder("ensemble.router.decisions")
                .description("Routing decisions by chosen expert and fallback reason")
                .tags("expert", chosen, "fallback", reason == null ? "none" : reason)
                .register(meters).increment();
        Timer.builder("ensemble.router.duration")
                .description("Embedding plus classification of one query")
                .register(meters).record(elapsed, TimeUnit.NANOSECONDS);
        RoutingDecision decision = new RoutingDecision(chosen, RoutingDecision.AUTO, ranking.predicted(), ranking.confidence(),
                settings.confidenceThreshold(), fallback, reason, ranking.scores(), skipped, shadow, latencyMs);
        List<String> alternatives = ranking.order().subList(ranking.order().indexOf(chosen) + 1, ranking.order().size());
        Entry entry = snapshot.experts().get(chosen);
        return new Route(entry.expert(), entry.definition().systemPrompt(), decision, alternatives);
    }

    private Route explicit(Snapshot snapshot, Caller caller, String model, String level, boolean stream) {
        Entry entry = snapshot.experts().get(model);
        if (entry == null) {
            throw ApiError.notFound("model", "The model '" + model + "' does not exist or is not served here", "model_not_found")
                    .exception();
        }
        if (!caller.can(Permissions.expert(model))) {
            throw ApiError.forbidden("Your roles do not grant the permission '" + Permissions.expert(model) + "'").exception();
        }
        if (!permitted(entry, caller)) {
            throw ApiError.forbidden("Expert '" + model + "' is restricted to the roles " + entry.definition().allowedRoles())
                    .exception();
        }
        if (!ExpertValidation.mayReceive(entry.definition().effectiveDataClassification(), level)) {
            throw ApiError.forbidden("Expert '" + model + "' may not receive " + level + " data (it is cleared for "
                    + entry.definition().effectiveDataClassification() + ")").exception();
        }
        if (stream && !entry.definition().streaming()) {
            throw ApiError.invalidRequest("stream", "Expert '" + model + "' does not stream; send \"stream\": false").exception();
        }
        return new Route(entry.expert(), entry.definition().systemPrompt(), RoutingDecision.explicit(model), List.of());
    }

    /**
     * A rough prompt size (four characters a token, plus a few per message) that keeps the router
     * from choosing an expert whose context clearly cannot hold the conversation; the expert's own
     * tokenizer still has the last word.
     */
    static int estimatedTokens(List<ChatMessage> messages) {
        long characters = 0;
        for (ChatMessage message : messages) {
            characters += message.content().length() + 16;
        }
        return (int) Math.min(Integer.MAX_VALUE, characters / 4);
    }

    /**
     * The prompt's embedding, or null when the model finds nothing in it to embed (whitespace,
     * control or zero-width characters only): it refuses such text, and the fallback answers it.
     */
    private static float[] queryVector(String text) {
        try {
            return SentenceEmbeddings.embed(text);
        } catch (IllegalArgumentException nothingToEmbed) {
            return null;
        }
    }

    /**
     * The experts to try, best first; {@code predicted} is the classifier's choice (null when none is
     * trained or {@code query} gives null, for a prompt with nothing to embed).
     */
    record Ranking(List<String> order, String predicted, Double confidence, String reason, Map<String, Double> scores) {
    }

    static Ranking rank(Snapshot snapshot, List<Entry> usable, java.util.function.Supplier<float[]> query, double threshold,
                        String fallbackExpert) {
        SoftmaxClassifier classifier = snapshot.classifier();
        String fallback = usable.stream().map(e -> e.definition().id()).filter(id -> id.equals(fallbackExpert)).findFirst()
                .orElse(null);
        List<String> trained = classifier == null ? List.of()
                : usable.stream().map(e -> e.definition().id()).filter(classifier.labels()::contains).toList();
        List<String> order = new ArrayList<>();
        float[] vector = trained.isEmpty() ? null : query.get();
        if (vector == null) {
            if (fallback != null) {
                order.add(fallback);
            }
            usable.stream().map(e -> e.definition().id()).filter(id -> !id.equals(fallback)).forEach(order::add);
            return new Ranking(order, null, null, trained.isEmpty() ? "no_trained_expert" : "blank_prompt", Map.of());
        }
        double[] logits = classifier.logits(vector);
        boolean[] included = new boolean[logits.length];
        trained.forEach(id -> included[classifier.labels().indexOf(id)] = true);
        double[] p = SoftmaxClassifier.probabilities(logits, included);
        List<String> ranked = trained.stream()
                .sorted(Comparator.comparingDouble((String id) -> -p[classifier.labels().indexOf(id)]))
                .toList();
        Map<String, Double> scores = new LinkedHashMap<>();
        ranked.forEach(id -> scores.put(id, Math.round(p[classifier.labels().indexOf(id)] * 10_000) / 10_000.0));
        String predicted = ranked.getFirst();
        double confidence = p[classifier.labels().indexOf(predicted)];
        String reason = null;
        if (confidence < threshold && fallback != null && !fallback.equals(predicted)) {
            order.add(fallback);
            reason = "low_confidence";
        }
        ranked.stream().filter(id -> !order.contains(id)).forEach(order::add);
        if (fallback != null && !order.contains(fallback)) {
            order.add(fallback);
        }
        return new Ranking(order, predicted, Math.round(confidence * 10_000) / 10_000.0, reason, scores);
    }

    /** What the candidate (shadow) configuration would choose; logged and audited, never acted on. */
    private Map<String, Object> shadow(Snapshot snapshot, List<Entry> usable, Ranking live, String chosen) {
        RouterSettings.Shadow candidate = settings.shadow();
        if (candidate == null) {
            return null;
        }
        double threshold = candidate.confidenceThreshold() == null ? settings.confidenceThreshold() : candidate.confidenceThreshold();
        String fallbackExpert = candidate.fallbackExpert() == null ? settings.fallbackExpert() : candidate.fallbackExpert();
        String fallback = usable.stream().map(e -> e.definition().id()).filter(id -> id.equals(fallbackExpert)).findFirst()
                .orElse(null);
        String expert = live.predicted() == null ? (fallback != null ? fallback : live.order().getFirst())
                : live.confidence() < threshold && fallback != null ? fallback : live.predicted();
        Map<String, Object> shadow = new LinkedHashMap<>();
        shadow.put("expert", expert);
        shadow.put("threshold", threshold);
        shadow.put("fallback_expert", fallbackExpert);
        shadow.put("agrees", expert.equals(chosen));
        if (!expert.equals(chosen)) {
            log.info("Shadow router would choose '{}' where the live router chose '{}'", expert, chosen);
        }
        return shadow;
    }

    @Override
    public Optional<Route> reroute(Route failed) {
        if (!RoutingDecision.AUTO.equals(failed.decision().mode())) {
            return Optional.empty();
        }
        Snapshot snapshot = catalog.snapshot();
        List<String> skipped = new ArrayList<>(List.of(failed.expertId()));
        List<String> rest = failed.alternatives();
        for (int i = 0; i < rest.size(); i++) {
            String id = rest.get(i);
            Entry entry = snapshot.experts().get(id);
            if (entry != null && health.healthy(id)) {
                return Optional.of(new Route(entry.expert(), entry.definition().systemPrompt(),
                        failed.decision().rerouted(id, "expert_failed", skipped), rest.subList(i + 1, rest.size())));
            }
            skipped.add(id);
        }
        return Optional.empty();
    }

    @Override
    public void succeeded(String expertId) {
        health.succeeded(expertId);
    }

    @Override
    public void failed(String expertId, String reason) {
        health.failed(expertId, reason);
    }

    @Override
    public List<Expert> usable(Caller caller) {
        return catalog.snapshot().experts().values().stream().filter(e -> permitted(e, caller)).map(Entry::expert).toList();
    }

    private static boolean permitted(Entry entry, Caller caller) {
        List<String> roles = entry.definition().allowedRoles();
        return caller.can(Permissions.expert(entry.definition().id()))
                && (roles.isEmpty() || caller.roles().stream().anyMatch(roles::contains));
    }

    /** The query the router classifies: the last user message (the conversation's current question). */
    static String routingText(List<ChatMessage> messages) {
        for (ChatMessage message : messages.reversed()) {
            if (message.role().equals("user") && !message.content().isBlank()) {
                return message.content();
            }
        }
        return String.join("\n", messages.stream().map(ChatMessage::content).toList());
    }
}
