package ai.ensemble.engine.cpu;

import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * Rotary position embeddings. Inverse frequencies are computed in float as Hugging Face's
 * {@code _compute_default_rope_parameters} does, then scaled: by the weights' per-frequency
 * divisors when the model carries them (GGUF's {@code rope_freqs.weight}, or what the loader
 * derived from config.json), else by the config's llama3 scaling exactly as
 * {@code _compute_llama3_parameters} computes it. Never both.
 */
public final class Rope {

    private final float[] inverseFrequencies; // (headDim / 2)
    private final RopeStyle style;
    private final int headDim;

    Rope(ModelConfig config, FloatTensor frequencyFactors) {
        this.headDim = config.headDim();
        this.style = config.ropeStyle();
        this.inverseFrequencies = inverseFrequencies(config, frequencyFactors);
    }

    /** The model's inverse frequencies (headDim / 2), shared by every backend so they agree exactly. */
    public static float[] inverseFrequencies(ModelConfig config, FloatTensor frequencyFactors) {
        if (frequencyFactors == null) {
            return inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
        }
        float[] frequencies = inverseFrequencies(config.headDim(), config.ropeTheta(), null);
        if (frequencyFactors.size() != frequencies.length) {
            throw new IllegalArgumentException("rope frequency factors hold " + frequencyFactors.size()
                    + " values, headDim / 2 is " + frequencies.length);
        }
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] /= frequencyFactors.getFloat(i);
        }
        return frequencies;
    }

    static float[] inverseFrequencies(int headDim, float theta, RopeScaling scaling) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even for rotary embeddings, got " + headDim);
        }
        float[] frequencies = new float[headDim / 2];
        for (int i = 0; i < frequencies.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            frequencies[i] = 1f / (float) Math.pow(theta, exponent);
        }
        if (scaling != null) {
            if (!"llama3".equals(scaling.type())) {
                throw new IllegalArgumentException("rope_scaling type '" + scaling.type() + "' is not supported (only llama3)");
            }
            applyLlama3(frequencies, scaling);
        }
        return frequencies;
    }

    /**
     * Wavelengths longer than originalContextLength / lowFreqFactor are stretched by factor, those
     * shorter than originalContextLength / highFreqFactor kept, and those between interpolated.
     */
    private static void applyLlama3(float[] frequencies, RopeScaling scaling) {
        float factor = scaling.factor();
        float low = scaling.lowFreqFactor();
        float high = scaling.highFreqFactor();
        float oldContext = scaling.originalContextLength();
        float lowFrequencyWavelength = oldContext / low;
        float highFrequencyWavelength = oldContext / high;
        for (int i = 0; i < frequencies.length; i++) {
            float frequency = frequencies[i];
            float wavelength = (float) (2 * Math.PI) / frequency;
            if (wavelength > lowFrequencyWavelength) {
                frequencies[i] = frequency / factor;
            } else if (wavelength >= highFrequencyWavelength) {
                float smooth = (oldContext / wavelength - low) / (high - low);
                frequencies[i] = (1 - smooth) * frequency / factor + smooth * frequency;
            }
        }
    }

    /** Rotates each of the {@code heads} heads stored at vector[h * headDim ...] in place by the angles of one position. */
    void rotate(float[] vector, int heads, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                int a = style == RopeStyle.HALF ? base + i : base + 2 * i;
                int b = style == RopeStyle.HALF ? base + i + half : base + 2 * i + 1;
                float x = vector[a];
                float y = vector[b];
                vector[a] = x * cos[i] - y * sin[i];
                vector[b] = y * cos[i] + x * sin[i];
            }
        }
    }

    /** cos and sin of position · frequency for each frequency: (headDim / 2) each. */
    void angles(int position, float[] cos, float[] sin) {
        for (int i = 0; i < inverseFrequencies.length; i++) {
            float angle = position * inverseFrequencies[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    int pairs() {
        return inverseFrequencies.length;
    }
}
