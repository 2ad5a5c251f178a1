package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The classifier on synthetic unit vectors, where the right answer is known. */
class SoftmaxClassifierTest {

    private static final int DIMENSIONS = 32;

    /** Points scattered around three random directions, normalised like sentence embeddings. */
    private static List<float[]> cluster(float[] centre, int count, double spread, Random random) {
        List<float[]> points = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] p = new float[DIMENSIONS];
            for (int j = 0; j < DIMENSIONS; j++) {
                p[j] = (float) (centre[j] + spread * random.nextGaussian());
            }
            points.add(SentenceEmbeddings.normalised(p));
        }
        return points;
    }

    private static float[] direction(Random random) {
        float[] d = new float[DIMENSIONS];
        for (int j = 0; j < DIMENSIONS; j++) {
            d[j] = (float) random.nextGaussian();
        }
        return SentenceEmbeddings.normalised(d);
    }

    @Test
    void separatesClustersAndGeneralisesToNewPointsOfThem() {
        Random random = new Random(7);
        float[][] centres = {direction(random), direction(random), direction(random)};
        List<float[]> vectors = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            // Unequal sizes: balancing must keep the small class from being swamped.
            for (float[] p : cluster(centres[c], c == 0 ? 5 : 40, 0.15, random)) {
                vectors.add(p);
                classes.add(c);
            }
        }
        SoftmaxClassifier classifier = SoftmaxClassifier.train(List.of("a", "b", "c"), vectors,
                classes.stream().mapToInt(Integer::intValue).toArray(), 1e-3);

        boolean[] all = {true, true, true};
        int correct = 0;
        int total = 0;
        for (int c = 0; c < 3; c++) {
            for (float[] p : cluster(centres[c], 50, 0.15, random)) {
                double[] probabilities = SoftmaxClassifier.probabilities(classifier.logits(p), all);
                assertThat(probabilities[0] + probabilities[1] + probabilities[2]).isCloseTo(1, within(1e-9));
                correct += argmax(probabilities) == c ? 1 : 0;
                total++;
            }
        }
        assertThat((double) correct / total).isGreaterThan(0.95);
    }

    @Test
    void labelsTrainedOnTheSameExamplesGetTheSameProbability() {
        Random random = new Random(11);
        List<float[]> points = cluster(direction(random), 10, 0.2, random);
        List<float[]> other = cluster(direction(random), 10, 0.2, random);
        List<float[]> vectors = new ArrayList<>(points);
        vectors.addAll(points);
        vectors.addAll(other);
        int[] classes = new int[30];
        for (int i = 0; i < 30; i++) {
            classes[i] = i < 10 ? 0 : i < 20 ? 1 : 2;
        }
        SoftmaxClassifier classifier = SoftmaxClassifier.train(List.of("twin-a", "twin-b", "other"), vectors, classes, 1e-3);

        double[] p = SoftmaxClassifier.probabilities(classifier.logits(points.getFirst()), new boolean[] {true, true, true});

        assertThat(p[0]).isCloseTo(p[1], within(1e-3));
        assertThat(p[0] + p[1]).isGreaterThan(p[2]);
    }

    @Test
    void restrictingTheLabelsRenormalisesOverThoseLeft() {
        double[] logits = {2.0, 1.0, 0.0};

        double[] all = SoftmaxClassifier.probabilities(logits, new boolean[] {true, true, true});
        double[] withoutFirst = SoftmaxClassifier.probabilities(logits, new boolean[] {false, true, true});

        assertThat(withoutFirst[0]).isZero();
        assertThat(withoutFirst[1] + withoutFirst[2]).isCloseTo(1, within(1e-12));
        assertThat(withoutFirst[1] / withoutFirst[2]).isCloseTo(all[1] / all[2], within(1e-9));
        assertThat(withoutFirst[1]).isCloseTo(Math.E / (Math.E + 1), within(1e-9));
    }

    @Test
    void lbfgsFindsTheMinimumOfAnIllConditionedQuadratic() {
        double[] scale = {1, 10, 100, 1000};
        double[] target = {3, -2, 0.5, 7};
        double[] minimum = Lbfgs.minimise((x, gradient) -> {
            double value = 0;
            for (int i = 0; i < x.length; i++) {
                double d = x[i] - target[i];
                value += 0.5 * scale[i] * d * d;
                gradient[i] = scale[i] * d;
            }
            return value;
        }, 4, 200, 1e-9);

        for (int i = 0; i < 4; i++) {
            assertThat(minimum[i]).isCloseTo(target[i], within(1e-5));
        }
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }
}
