package ai.ensemble.engine.model;

/**
 * Llama 3.1-style frequency scaling ({@code rope_type: llama3}): wavelengths longer than
 * {@code originalContextLength / lowFreqFactor} are divided by {@code factor}, shorter than
 * {@code originalContextLength / highFreqFactor} are kept, and those between are interpolated.
 */
public record RopeScaling(String type, float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
}
