package ai.ensemble.policy.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import ai.ensemble.embedding.SentenceEmbeddings;
import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;
import ai.ensemble.guardrail.Stage;

/**
 * A denied topic of a policy: the text's similarity to the topic's description and examples
 * (cosine of all-MiniLM-L6-v2 embeddings, the best over windows of the text and over the examples,
 * clipped to [0, 1]) is the finding's score; the policy's {@code minScore} is the threshold (0.5 to
 * 0.6 suits short questions). Its id is {@code topic:<name>}, so the audit record names the topic.
 */
public final class TopicDetector implements Detector {

    private final String id;
    private final List<float[]> examples;

    TopicDetector(String name, List<String> texts) {
        this.id = "topic:" + name;
        this.examples = SentenceEmbeddings.embedAll(texts);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Set<Stage> stages() {
        return EnumSet.of(Stage.INPUT, Stage.CONTEXT);
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        String all = text.toString();
        if (all.isBlank()) {
            return List.of();
        }
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start < all.length(); start += InjectionDetector.STEP) {
            windows.add(new int[] {start, Math.min(all.length(), start + InjectionDetector.WINDOW)});
            if (start + InjectionDetector.WINDOW >= all.length()) {
                break;
            }
        }
        // null: nothing in the window to embed (whitespace, control or zero-width characters only)
        List<float[]> vectors = SentenceEmbeddings.embedEach(windows.stream().map(w -> all.substring(w[0], w[1])).toList());
        double best = 0;
        int[] where = windows.getFirst();
        for (int i = 0; i < vectors.size(); i++) {
            if (vectors.get(i) == null) {
                continue;
            }
            for (float[] example : examples) {
                double cosine = 0;
                for (int j = 0; j < example.length; j++) {
                    cosine += example[j] * vectors.get(i)[j];
                }
                if (cosine > best) {
                    best = cosine;
                    where = windows.get(i);
                }
            }
        }
        return List.of(new Finding(id, EntityType.DENIED_TOPIC, where[0], where[1], Math.min(1, best)));
    }
}
