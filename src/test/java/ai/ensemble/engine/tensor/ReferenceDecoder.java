package ai.ensemble.engine.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Scalar decoders written straight from ggml's {@code dequantize_row_*} and the float formats, kept
 * apart from the engine's kernels so that the tests compare two implementations.
 */
final class ReferenceDecoder {

    private ReferenceDecoder() {
    }

    static float[] decode(TensorType type, byte[] bytes, int elements) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[elements];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < elements; i++) {
                    out[i] = in.getFloat(4 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < elements; i++) {
                    out[i] = Float.float16ToFloat(in.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < elements; i++) {
                    out[i] = Float.intBitsToFloat((in.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < elements / 32; b++) {
                    float d = Float.float16ToFloat(in.getShort(34 * b));
                    for (int j = 0; j < 32; j++) {
                        out[32 * b + j] = d * in.get(34 * b + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < elements / 32; b++) {
                    float d = Float.float16ToFloat(in.getShort(18 * b));
                    for (int j = 0; j < 16; j++) {
                        int q = in.get(18 * b + 2 + j) & 0xff;
                        out[32 * b + j] = ((q & 0x0f) - 8) * d;
                        out[32 * b + j + 16] = ((q >> 4) - 8) * d;
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < elements / 256; b++) {
                    int base = 144 * b;
                    float d = Float.float16ToFloat(in.getShort(base));
                    float min = Float.float16ToFloat(in.getShort(base + 2));
                    int[] scales = new int[12];
                    for (int j = 0; j < 12; j++) {
                        scales[j] = in.get(base + 4 + j) & 0xff;
                    }
                    int y = 256 * b;
                    int q = base + 16;
                    int is = 0;
                    for (int j = 0; j < 256; j += 64) {
                        int[] sm1 = scaleMin(is, scales);
                        int[] sm2 = scaleMin(is + 1, scales);
                        float d1 = d * sm1[0];
                        float m1 = min * sm1[1];
                        float d2 = d * sm2[0];
                        float m2 = min * sm2[1];
                        for (int l = 0; l < 32; l++) {
                            out[y++] = d1 * (in.get(q + l) & 0x0f) - m1;
                        }
                        for (int l = 0; l < 32; l++) {
                            out[y++] = d2 * ((in.get(q + l) & 0xff) >> 4) - m2;
                        }
                        q += 32;
                        is += 2;
                    }
                }
            }
        }
        return out;
    }

    /** ggml's get_scale_min_k4. */
    private static int[] scaleMin(int j, int[] q) {
        if (j < 4) {
            return new int[] {q[j] & 63, q[j + 4] & 63};
        }
        return new int[] {(q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)};
    }
}
