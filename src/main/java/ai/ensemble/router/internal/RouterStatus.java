package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.router.RouterSettings;
import org.springframework.stereotype.Service;

/** {@code GET /admin/api/router}: what the router runs on right now. */
@Service
public class RouterStatus {

    public record Status(String embeddingModel, List<String> trainedExperts, Map<String, Integer> examples, Instant trainedAt,
                         Long trainingMs, double confidenceThreshold, String fallbackExpert, RouterSettings.Shadow shadow,
                         Map<String, ExpertHealth.Status> health) {
    }

    private final ExpertCatalog catalog;
    private final ExpertHealth health;
    private final RouterSettings settings;

    RouterStatus(ExpertCatalog catalog, ExpertHealth health, RouterSettings settings) {
        this.catalog = catalog;
        this.health = health;
        this.settings = settings;
    }

    public Status status() {
        ExpertCatalog.Snapshot snapshot = catalog.snapshot();
        Map<String, Integer> examples = new LinkedHashMap<>();
        Map<String, ExpertHealth.Status> healths = new LinkedHashMap<>();
        snapshot.experts().forEach((id, entry) -> {
            examples.put(id, entry.examples());
            healths.put(id, health.status(id));
        });
        ExpertCatalog.Training training = snapshot.training();
        return new Status(SentenceEmbeddings.MODEL, snapshot.classifier() == null ? List.of() : snapshot.classifier().labels(),
                examples, training == null ? null : training.at(), training == null ? null : training.milliseconds(),
                settings.confidenceThreshold(), settings.fallbackExpert(), settings.shadow(), healths);
    }
}
