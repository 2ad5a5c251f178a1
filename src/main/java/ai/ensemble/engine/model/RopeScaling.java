package ai.ensemble.engine.model;

/**
 * Llama 3.1-style frequency scaling ({@code rope_type: llama3}): wavelengths longer than
 * {@code originalContextLength / lowFreqFactor} are divided by {@code factor}, shorter than
 * {@code originalContextLength / highFreqFactor} are kept, and those between are interpolated.
 */
public record RopeScaling(String type, float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {

    /**
     * The divisor of each rotary frequency {@code theta^(-2i/headDim)}, i in [0, headDim/2): exactly
     * what llama.cpp's converter stores as the {@code rope_freqs.weight} tensor, and the same
     * frequencies as transformers' {@code _compute_llama3_parameters}.
     */
    public float[] frequencyFactors(int headDim, float theta) {
        if (!"llama3".equals(type)) {
            throw new IllegalStateException("rope scaling type '" + type + "' has no frequency factors");
        }
        double lowFreqWavelength = originalContextLength / (double) lowFreqFactor;
        double highFreqWavelength = originalContextLength / (double) highFreqFactor;
        float[] factors = new float[headDim / 2];
        for (int i = 0; i < factors.length; i++) {
            double frequency = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highFreqWavelength) {
                factors[i] = 1f;
            } else if (wavelength > lowFreqWavelength) {
                factors[i] = factor;
            } else {
                double smooth = (originalContextLength / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return factors;
    }
}
