package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.util.ArrayList;
import java.util.List;

import ai.ensemble.router.RouterSettings;
import ai.ensemble.router.internal.ExpertCatalog.Entry;
import ai.ensemble.router.internal.ExpertCatalog.Snapshot;
import ai.ensemble.router.internal.ExpertStore.StoredExample;
import org.springframework.stereotype.Service;

/**
 * {@code POST /admin/api/router/evaluate}: routes labelled queries ({@code {"text","expert"}} per
 * line) through the router as configured (every enabled expert, health ignored) and reports how
 * often it chose the labelled expert, next to the nearest-example baseline on the same examples.
 * {@code threshold} and {@code fallbackExpert} try a candidate configuration without changing the
 * live one.
 */
@Service
public class RouterEvaluation {

    public record Result(ClassificationReport router, ClassificationReport nearestExample, double threshold,
                         String fallbackExpert, List<String> experts) {
    }

    private final ExpertCatalog catalog;
    private final ExpertStore store;
    private final RouterSettings settings;

    RouterEvaluation(ExpertCatalog catalog, ExpertStore store, RouterSettings settings) {
        this.catalog = catalog;
        this.store = store;
        this.settings = settings;
    }

    public Result evaluate(String jsonLines, Double threshold, String fallbackExpert) {
        Snapshot snapshot = catalog.snapshot();
        double usedThreshold = threshold == null ? settings.confidenceThreshold() : threshold;
        if (!(usedThreshold >= 0 && usedThreshold <= 1)) {
            throw ExpertValidation.invalid("threshold", "'threshold' must be a number from 0 to 1");
        }
        String usedFallback = fallbackExpert == null ? settings.fallbackExpert() : fallbackExpert;
        if (fallbackExpert != null && !snapshot.experts().containsKey(fallbackExpert)) {
            throw ExpertValidation.invalid("fallbackExpert", "'fallbackExpert' must name an enabled expert");
        }
        List<JsonLines.Line> lines = JsonLines.lines(jsonLines);
        List<String> texts = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        for (JsonLines.Line line : lines) {
            String expert = JsonLines.string(line, "expert");
            if (!snapshot.experts().containsKey(expert)) {
                throw ExpertValidation.invalid(line.where() + ".expert", "'" + line.where() + ".expert' names '" + expert
                        + "', which is not an enabled expert");
            }
            texts.add(JsonLines.string(line, "text"));
            truth.add(expert);
        }
        List<float[]> vectors = SentenceEmbeddings.embedAll(texts);
        List<Entry> everyone = List.copyOf(snapshot.experts().values());
        List<String> predicted = new ArrayList<>();
        List<Boolean> fallbacks = new ArrayList<>();
        for (float[] vector : vectors) {
            RoutingService.Ranking ranking = RoutingService.rank(snapshot, everyone, () -> vector, usedThreshold, usedFallback);
            String chosen = ranking.order().getFirst();
            predicted.add(chosen);
            fallbacks.add(!chosen.equals(ranking.predicted()));
        }
        ClassificationReport router = ClassificationReport.of(truth, predicted, fallbacks);
        List<String> labels = snapshot.classifier() == null ? List.of() : snapshot.classifier().labels();
        ClassificationReport baseline = null;
        if (!labels.isEmpty()) {
            List<StoredExample> examples = store.examples().stream().filter(e -> labels.contains(e.expertId())).toList();
            NearestExample nearest = new NearestExample(examples.stream().map(StoredExample::embedding).toList(),
                    examples.stream().mapToInt(e -> labels.indexOf(e.expertId())).toArray());
            List<String> nearestPredicted = vectors.stream().map(v -> labels.get(nearest.predict(v))).toList();
            baseline = ClassificationReport.of(truth, nearestPredicted, nearestPredicted.stream().map(p -> false).toList());
        }
        return new Result(router, baseline, usedThreshold, usedFallback, labels);
    }
}
