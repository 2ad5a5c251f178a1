package ai.ensemble.engine.cuda;

import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * The rotary inverse frequencies (headDim / 2) the rope kernel reads: computed in float exactly as
 * the CPU backend's {@code cpu.Rope} does (which is package-private there), divided by the weights'
 * frequency factors when present, else scaled by the config's llama3 scaling; never both.
 */
final class RopeFrequencies {

    private RopeFrequencies() {
    }

    static float[] of(ModelConfig config, FloatTensor frequencyFactors) {
        int headDim = config.headDim();
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even for rotary embeddings, got " + headDim);
        }
        float[] frequencies = new float[headDim / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1f / (float) Math.pow(config.ropeTheta(), (float) (2 * i) / headDim);
        }
        if (frequencyFactors != null) {
            if (frequencyFactors.size() != frequencies.length) {
                throw new IllegalArgumentException("rope frequency factors hold " + frequencyFactors.size()
                        + " values, headDim / 2 is " + frequencies.length);
            }
            for (int i = 0; i < frequencies.length; i++) {
                frequencies[i] /= frequencyFactors.getFloat(i);
            }
        } else if (config.ropeScaling() != null) {
            applyLlama3(frequencies, config.ropeScaling());
        }
        return frequencies;
    }

    private static void applyLlama3(float[] frequencies, RopeScaling scaling) {
        if (!"llama3".equals(scaling.type())) {
            throw new IllegalArgumentException("rope_scaling type '" + scaling.type() + "' is not supported (only llama3)");
        }
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
}
