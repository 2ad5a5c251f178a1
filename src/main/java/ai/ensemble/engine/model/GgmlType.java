package ai.ensemble.engine.model;

import ai.ensemble.engine.tensor.TensorType;

/** GGML's tensor type ids as GGUF stores them, and which of them the engine reads. */
final class GgmlType {

    private static final String[] NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
        "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32",
        "I64", "F64", "IQ1_M", "BF16"};

    private GgmlType() {
    }

    /** The engine's type for a GGML id, or null when the engine does not read it. */
    static TensorType toTensorType(int id) {
        return switch (id) {
            case 0 -> TensorType.F32;
            case 1 -> TensorType.F16;
            case 2 -> TensorType.Q4_0;
            case 8 -> TensorType.Q8_0;
            case 12 -> TensorType.Q4_K;
            case 30 -> TensorType.BF16;
            default -> null;
        };
    }

    static int id(TensorType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 8;
            case Q4_K -> 12;
            case BF16 -> 30;
        };
    }

    static String name(int id) {
        return id >= 0 && id < NAMES.length ? NAMES[id] : "type " + id;
    }
}
