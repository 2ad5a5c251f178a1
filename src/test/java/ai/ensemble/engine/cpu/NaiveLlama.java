package ai.ensemble.engine.cpu;

import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * A deliberately plain Llama in double precision, written from the Hugging Face modelling code
 * rather than from {@link CpuForward}: no cache (every position recomputed), no batching, no
 * threads, rotate-half spelled out. The CPU backend is checked against it.
 */
final class NaiveLlama {

    private final ModelConfig c;
    private final LlamaWeights w;
    private final double[] inverseFrequencies;

    NaiveLlama(ModelConfig config, LlamaWeights weights) {
        this.c = config;
        this.w = weights;
        float[] f = Rope.inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
        inverseFrequencies = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            inverseFrequencies[i] = f[i];
        }
    }

    /** Logits after each token: (tokens, vocab). */
    double[][] logits(int[] tokens) {
        int n = tokens.length;
        int dim = c.dim();
        int hd = c.headDim();
        double[][] x = new double[n][dim];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < dim; i++) {
                x[t][i] = w.tokenEmbedding().getFloat((long) tokens[t] * dim + i);
            }
        }
        for (LlamaWeights.Layer layer : w.layers()) {
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = norm(x[t], layer.attentionNorm());
                q[t] = rope(add(mul(layer.wq(), h, c.heads() * hd), layer.bq()), c.heads(), t);
                k[t] = rope(add(mul(layer.wk(), h, c.kvHeads() * hd), layer.bk()), c.kvHeads(), t);
                v[t] = add(mul(layer.wv(), h, c.kvHeads() * hd), layer.bv());
            }
            for (int t = 0; t < n; t++) {
                double[] attention = new double[c.heads() * hd];
                for (int head = 0; head < c.heads(); head++) {
                    int kvHead = head / (c.heads() / c.kvHeads());
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= t; p++) {
                        double s = 0;
                        for (int i = 0; i < hd; i++) {
                            s += q[t][head * hd + i] * k[p][kvHead * hd + i];
                        }
                        scores[p] = s / Math.sqrt(hd);
                        max = Math.max(max, scores[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= t; p++) {
                        scores[p] = Math.exp(scores[p] - max);
                        sum += scores[p];
                    }
                    for (int p = 0; p <= t; p++) {
                        for (int i = 0; i < hd; i++) {
                            attention[head * hd + i] += scores[p] / sum * v[p][kvHead * hd + i];
                        }
                    }
                }
                double[] o = mul(layer.wo(), attention, dim);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += o[i];
                }
                double[] h = norm(x[t], layer.ffnNorm());
                double[] gate = mul(layer.wGate(), h, c.hiddenDim());
                double[] up = mul(layer.wUp(), h, c.hiddenDim());
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = mul(layer.wDown(), gate, dim);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += down[i];
                }
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = mul(w.output(), norm(x[t], w.outputNorm()), c.vocabSize());
        }
        return logits;
    }

    private double[] rope(double[] vector, int heads, int position) {
        int hd = c.headDim();
        int half = hd / 2;
        double[] out = vector.clone();
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                int a = c.ropeStyle() == RopeStyle.HALF ? head * hd + i : head * hd + 2 * i;
                int b = c.ropeStyle() == RopeStyle.HALF ? head * hd + i + half : head * hd + 2 * i + 1;
                double angle = (float) (position * (float) inverseFrequencies[i]);
                out[a] = vector[a] * Math.cos(angle) - vector[b] * Math.sin(angle);
                out[b] = vector[b] * Math.cos(angle) + vector[a] * Math.sin(angle);
            }
        }
        return out;
    }

    private double[] norm(double[] x, FloatTensor weight) {
        double ss = 0;
        for (double value : x) {
            ss += value * value;
        }
        double scale = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = weight.getFloat(i) * x[i] * scale;
        }
        return out;
    }

    private static double[] mul(FloatTensor matrix, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int col = 0; col < x.length; col++) {
                s += matrix.getFloat((long) r * x.length + col) * x[col];
            }
            out[r] = s;
        }
        return out;
    }

    private static double[] add(double[] x, FloatTensor bias) {
        if (bias != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += bias.getFloat(i);
            }
        }
        return x;
    }
}
