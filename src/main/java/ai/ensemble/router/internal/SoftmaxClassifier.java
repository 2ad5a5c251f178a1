package ai.ensemble.router.internal;

import java.util.List;

/**
 * Multinomial logistic regression over L2-normalised sentence embeddings: one weight vector per
 * expert, trained by L-BFGS on the class-balanced cross-entropy with an L2 penalty. Balancing
 * weighs each expert's examples as a whole equally, so an expert with many examples does not win
 * by default; the penalty keeps the probabilities calibrated rather than certain when examples are
 * few. Inference is one small matrix-vector product (labels × 384).
 */
final class SoftmaxClassifier {

    private final List<String> labels;
    private final float[][] weights; // (labels, dimensions), centring folded into bias
    private final float[] bias;      // (labels)

    private SoftmaxClassifier(List<String> labels, float[][] weights, float[] bias) {
        this.labels = List.copyOf(labels);
        this.weights = weights;
        this.bias = bias;
    }

    List<String> labels() {
        return labels;
    }

    /** Unnormalised log-probabilities, one per label, in {@link #labels()} order. */
    double[] logits(float[] vector) {
        double[] logits = new double[labels.size()];
        for (int k = 0; k < logits.length; k++) {
            float[] w = weights[k];
            double z = bias[k];
            for (int j = 0; j < w.length; j++) {
                z += w[j] * vector[j];
            }
            logits[k] = z;
        }
        return logits;
    }

    /**
     * @param classes        for each vector, the index of its label
     * @param regularisation the L2 penalty on the weights (not the biases)
     */
    static SoftmaxClassifier train(List<String> labels, List<float[]> vectors, int[] classes, double regularisation) {
        int k = labels.size();
        int n = vectors.size();
        if (k == 0 || n == 0) {
            throw new IllegalArgumentException("nothing to train on");
        }
        int d = vectors.getFirst().length;
        float[] mean = new float[d];
        for (float[] v : vectors) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j] / n;
            }
        }
        float[][] centred = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                centred[i][j] = vectors.get(i)[j] - mean[j];
            }
        }
        int[] counts = new int[k];
        for (int c : classes) {
            counts[c]++;
        }
        double[] classWeight = new double[k];
        int present = 0;
        for (int c = 0; c < k; c++) {
            present += counts[c] > 0 ? 1 : 0;
        }
        for (int c = 0; c < k; c++) {
            classWeight[c] = counts[c] == 0 ? 0 : (double) n / (present * counts[c]);
        }
        if (k == 1) {
            return new SoftmaxClassifier(labels, new float[1][d], new float[1]);
        }
        Lbfgs.Objective objective = (theta, gradient) -> crossEntropy(theta, gradient, centred, classes, classWeight, k, d,
                regularisation);
        double[] theta = Lbfgs.minimise(objective, k * (d + 1), 300, 1e-6);
        float[][] weights = new float[k][d];
        float[] bias = new float[k];
        for (int c = 0; c < k; c++) {
            double b = theta[k * d + c];
            for (int j = 0; j < d; j++) {
                weights[c][j] = (float) theta[c * d + j];
                b -= theta[c * d + j] * mean[j];
            }
            bias[c] = (float) b;
        }
        return new SoftmaxClassifier(labels, weights, bias);
    }

    /** theta = (weights (k, d) row-major, then biases (k)). */
    private static double crossEntropy(double[] theta, double[] gradient, float[][] x, int[] classes, double[] classWeight,
                                       int k, int d, double regularisation) {
        java.util.Arrays.fill(gradient, 0);
        double loss = 0;
        double totalWeight = 0;
        double[] z = new double[k];
        for (int i = 0; i < x.length; i++) {
            float[] xi = x[i];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double sum = theta[k * d + c];
                int offset = c * d;
                for (int j = 0; j < d; j++) {
                    sum += theta[offset + j] * xi[j];
                }
                z[c] = sum;
                max = Math.max(max, sum);
            }
            double normaliser = 0;
            for (int c = 0; c < k; c++) {
                normaliser += Math.exp(z[c] - max);
            }
            double logNormaliser = max + Math.log(normaliser);
            double w = classWeight[classes[i]];
            totalWeight += w;
            loss += w * (logNormaliser - z[classes[i]]);
            for (int c = 0; c < k; c++) {
                double residual = w * (Math.exp(z[c] - logNormaliser) - (c == classes[i] ? 1 : 0));
                int offset = c * d;
                for (int j = 0; j < d; j++) {
                    gradient[offset + j] += residual * xi[j];
                }
                gradient[k * d + c] += residual;
            }
        }
        double penalty = 0;
        for (int p = 0; p < gradient.length; p++) {
            gradient[p] /= totalWeight;
            if (p < k * d) {
                penalty += theta[p] * theta[p];
                gradient[p] += regularisation * theta[p];
            }
        }
        return loss / totalWeight + 0.5 * regularisation * penalty;
    }

    /** Softmax of the given logits over the chosen indices only; the others get 0. */
    static double[] probabilities(double[] logits, boolean[] included) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < logits.length; c++) {
            if (included[c]) {
                max = Math.max(max, logits[c]);
            }
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            if (included[c]) {
                p[c] = Math.exp(logits[c] - max);
                sum += p[c];
            }
        }
        for (int c = 0; c < logits.length; c++) {
            p[c] = sum == 0 ? 0 : p[c] / sum;
        }
        return p;
    }
}
