package ai.ensemble.engine.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes floats into each {@link TensorType}'s little-endian layout: for the GGUF writer, tests
 * and synthesised models. Q8_0 and Q4_0 follow ggml's reference quantisers ({@code quantize_row_*_ref})
 * bit for bit; Q4_K uses a plain min/max fit per sub-block rather than ggml's iterative search, so
 * it is valid but a little less accurate than llama.cpp's files.
 */
public final class Quantization {

    private Quantization() {
    }

    public static byte[] encode(TensorType type, float[] values) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(type.bytesFor(values.length))).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (float value : values) {
                    out.putFloat(value);
                }
            }
            case F16 -> {
                for (float value : values) {
                    out.putShort(Float.floatToFloat16(value));
                }
            }
            case BF16 -> {
                for (float value : values) {
                    out.putShort(toBFloat16(value));
                }
            }
            case Q8_0 -> encodeQ8_0(values, out);
            case Q4_0 -> encodeQ4_0(values, out);
            case Q4_K -> encodeQ4_K(values, out);
        }
        return out.array();
    }

    /** Round to nearest even, as PyTorch's {@code tensor.to(torch.bfloat16)} does. */
    public static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float roundToBFloat16(float value) {
        return Float.intBitsToFloat(toBFloat16(value) << 16);
    }

    private static void encodeQ8_0(float[] values, ByteBuffer out) {
        for (int block = 0; block < values.length; block += 32) {
            float absMax = 0f;
            for (int j = 0; j < 32; j++) {
                absMax = Math.max(absMax, Math.abs(values[block + j]));
            }
            float d = absMax / 127f;
            float inverse = d != 0f ? 1f / d : 0f;
            out.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                out.put((byte) roundHalfAwayFromZero(values[block + j] * inverse));
            }
        }
    }

    /** C's roundf, which ggml uses; Math.round would round −2.5 to −2. */
    private static int roundHalfAwayFromZero(float value) {
        float magnitude = Math.abs(value);
        float whole = (float) Math.floor(magnitude);
        if (magnitude - whole >= 0.5f) {
            whole += 1f;
        }
        return (int) Math.copySign(whole, value);
    }

    private static void encodeQ4_0(float[] values, ByteBuffer out) {
        for (int block = 0; block < values.length; block += 32) {
            float absMax = 0f;
            float max = 0f;
            for (int j = 0; j < 32; j++) {
                float value = values[block + j];
                if (Math.abs(value) > absMax) {
                    absMax = Math.abs(value);
                    max = value;
                }
            }
            float d = max / -8f;
            float inverse = d != 0f ? 1f / d : 0f;
            out.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int low = Math.min(15, (int) (values[block + j] * inverse + 8.5f));
                int high = Math.min(15, (int) (values[block + 16 + j] * inverse + 8.5f));
                out.put((byte) (low | (high << 4)));
            }
        }
    }

    private static void encodeQ4_K(float[] values, ByteBuffer out) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        for (int block = 0; block < values.length; block += 256) {
            float maxScale = 0f;
            float maxMin = 0f;
            for (int sub = 0; sub < 8; sub++) {
                float lo = 0f;
                float hi = 0f;
                for (int j = 0; j < 32; j++) {
                    lo = Math.min(lo, values[block + sub * 32 + j]);
                    hi = Math.max(hi, values[block + sub * 32 + j]);
                }
                scales[sub] = (hi - lo) / 15f;
                mins[sub] = -lo;
                maxScale = Math.max(maxScale, scales[sub]);
                maxMin = Math.max(maxMin, mins[sub]);
            }
            short dBits = Float.floatToFloat16(maxScale / 63f);
            short dminBits = Float.floatToFloat16(maxMin / 63f);
            float d = Float.float16ToFloat(dBits);
            float dmin = Float.float16ToFloat(dminBits);
            int[] scaleCodes = new int[8];
            int[] minCodes = new int[8];
            for (int sub = 0; sub < 8; sub++) {
                scaleCodes[sub] = d > 0f ? Math.min(63, Math.round(scales[sub] / d)) : 0;
                minCodes[sub] = dmin > 0f ? Math.min(63, Math.round(mins[sub] / dmin)) : 0;
            }
            byte[] packedScales = new byte[12];
            for (int j = 0; j < 8; j++) {
                if (j < 4) {
                    packedScales[j] = (byte) scaleCodes[j];
                    packedScales[j + 4] = (byte) minCodes[j];
                } else {
                    packedScales[j + 4] = (byte) ((scaleCodes[j] & 0x0f) | ((minCodes[j] & 0x0f) << 4));
                    packedScales[j - 4] |= (byte) ((scaleCodes[j] >>> 4) << 6);
                    packedScales[j] |= (byte) ((minCodes[j] >>> 4) << 6);
                }
            }
            int[] levels = new int[256];
            for (int sub = 0; sub < 8; sub++) {
                float step = d * scaleCodes[sub];
                float offset = dmin * minCodes[sub];
                for (int j = 0; j < 32; j++) {
                    int level = step > 0f ? Math.round((values[block + sub * 32 + j] + offset) / step) : 0;
                    levels[sub * 32 + j] = Math.clamp(level, 0, 15);
                }
            }
            out.putShort(dBits).putShort(dminBits).put(packedScales);
            for (int chunk = 0; chunk < 256; chunk += 64) {
                for (int l = 0; l < 32; l++) {
                    out.put((byte) (levels[chunk + l] | (levels[chunk + 32 + l] << 4)));
                }
            }
        }
    }
}
