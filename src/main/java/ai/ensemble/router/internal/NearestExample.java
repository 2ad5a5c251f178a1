package ai.ensemble.router.internal;

import java.util.List;

/**
 * The baseline the trained classifier must beat: semantic-router style matching, where a query
 * goes to the expert owning the single most similar example utterance (cosine similarity).
 */
final class NearestExample {

    private final List<float[]> examples;
    private final int[] classes;

    NearestExample(List<float[]> examples, int[] classes) {
        this.examples = List.copyOf(examples);
        this.classes = classes.clone();
    }

    /** The class of the most similar example; vectors are unit length, so a dot product suffices. */
    int predict(float[] query) {
        double best = Double.NEGATIVE_INFINITY;
        int bestClass = -1;
        for (int i = 0; i < examples.size(); i++) {
            float[] e = examples.get(i);
            double similarity = 0;
            for (int j = 0; j < e.length; j++) {
                similarity += e[j] * query[j];
            }
            if (similarity > best) {
                best = similarity;
                bestClass = classes[i];
            }
        }
        return bestClass;
    }
}
