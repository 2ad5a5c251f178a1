package ai.ensemble.engine.tensor;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Encoding then decoding stays within each format's rounding error. */
class QuantizationTest {

    private static float[] values(int n, long seed) {
        float[] values = FloatTensorTest.gaussian(new Random(seed), n, 0.5f);
        values[7] = 0f;
        values[40] = -3f; // an outlier, so some blocks have a wide range
        return values;
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertThat(Quantization.toBFloat16(1f)).isEqualTo((short) 0x3f80);
        // 1 + 2^-8 lies halfway between two bfloat16 values: the even one (1.0) wins.
        assertThat(Quantization.roundToBFloat16(1f + 0x1p-8f)).isEqualTo(1f);
        assertThat(Quantization.roundToBFloat16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo(1f + 0x1p-7f);
        float[] values = values(4096, 1);
        float[] decoded = ReferenceDecoder.decode(TensorType.BF16, Quantization.encode(TensorType.BF16, values), values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(Math.abs(decoded[i] - values[i])).isLessThanOrEqualTo(Math.abs(values[i]) * 0x1p-8f);
        }
    }

    @Test
    void halfPrecisionRoundTrip() {
        float[] values = values(4096, 2);
        float[] decoded = ReferenceDecoder.decode(TensorType.F16, Quantization.encode(TensorType.F16, values), values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(Math.abs(decoded[i] - values[i])).isLessThanOrEqualTo(Math.abs(values[i]) * 0x1p-11f + 0x1p-25f);
        }
    }

    /** Error ≤ d/2 from rounding plus 127 · |d − fp16(d)| from storing the scale in half precision. */
    @Test
    void q8RoundTripStaysWithinHalfAStep() {
        float[] values = values(4096, 3);
        float[] decoded = ReferenceDecoder.decode(TensorType.Q8_0, Quantization.encode(TensorType.Q8_0, values), values.length);
        for (int block = 0; block < values.length; block += 32) {
            float step = absMax(values, block, 32) / 127f;
            for (int i = block; i < block + 32; i++) {
                assertThat(Math.abs(decoded[i] - values[i])).isLessThanOrEqualTo(step * 0.57f);
            }
        }
    }

    /** Q4_0 maps the largest-magnitude value to −8 exactly; its mirror clamps to 7, one full step away. */
    @Test
    void q4RoundTripStaysWithinOneStep() {
        float[] values = values(4096, 4);
        float[] decoded = ReferenceDecoder.decode(TensorType.Q4_0, Quantization.encode(TensorType.Q4_0, values), values.length);
        for (int block = 0; block < values.length; block += 32) {
            float step = absMax(values, block, 32) / 8f;
            for (int i = block; i < block + 32; i++) {
                assertThat(Math.abs(decoded[i] - values[i])).isLessThanOrEqualTo(step * 1.01f);
            }
        }
    }

    /**
     * Q4_K: half a (6-bit quantised) step, the clamping a rounded-down scale can cause, and half a
     * min step; all bounded by the super-block's widest sub-block step and largest min.
     */
    @Test
    void q4KRoundTripStaysWithinTheSuperBlockStep() {
        float[] values = values(4096, 5);
        float[] decoded = ReferenceDecoder.decode(TensorType.Q4_K, Quantization.encode(TensorType.Q4_K, values), values.length);
        for (int block = 0; block < values.length; block += 256) {
            float widestStep = 0f;
            float largestMin = 0f;
            for (int sub = block; sub < block + 256; sub += 32) {
                float lo = 0f;
                float hi = 0f;
                for (int i = sub; i < sub + 32; i++) {
                    lo = Math.min(lo, values[i]);
                    hi = Math.max(hi, values[i]);
                }
                widestStep = Math.max(widestStep, (hi - lo) / 15f);
                largestMin = Math.max(largestMin, -lo);
            }
            float tolerance = widestStep * 0.65f + largestMin / 100f;
            for (int i = block; i < block + 256; i++) {
                assertThat(Math.abs(decoded[i] - values[i])).as("element %d", i).isLessThanOrEqualTo(tolerance);
            }
        }
    }

    @Test
    void allZeroBlocksEncodeToZeros() {
        for (TensorType type : TensorType.values()) {
            float[] decoded = ReferenceDecoder.decode(type, Quantization.encode(type, new float[256]), 256);
            for (float value : decoded) {
                assertThat(value == 0f).as("%s decodes zero", type).isTrue(); // Q4_0 gives −0: d = 0 / −8
            }
        }
    }

    private static float absMax(float[] values, int from, int n) {
        float max = 0f;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }
}
