package ai.ensemble.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every tensor type against the scalar reference decoder on random data. getFloat must equal the
 * reference exactly; dot products, which sum in a different order, must be within
 * 1e-5 · Σ|w·x| of a double-precision sum.
 */
class FloatTensorTest {

    private static final Arena ARENA = Arena.ofShared();
    private static final int ROWS = 12;
    private static final int COLS = 1024;

    @AfterAll
    static void close() {
        ARENA.close();
    }

    static MappedTensor mapped(TensorType type, byte[] bytes, long elements) {
        MemorySegment segment = ARENA.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return MappedTensor.of(type, segment, elements);
    }

    static float[] gaussian(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void getFloatMatchesReferenceDecoder(TensorType type) {
        float[] values = gaussian(new Random(1), ROWS * COLS, 0.05f);
        byte[] bytes = Quantization.encode(type, values);
        float[] reference = ReferenceDecoder.decode(type, bytes, values.length);
        MappedTensor tensor = mapped(type, bytes, values.length);

        assertThat(tensor.type()).isEqualTo(type);
        assertThat(tensor.size()).isEqualTo(values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(tensor.getFloat(i)).as("%s element %d", type, i).isEqualTo(reference[i]);
        }
        float[] copied = new float[COLS];
        tensor.copyTo(3L * COLS, copied, 0, COLS);
        for (int i = 0; i < COLS; i++) {
            assertThat(copied[i]).isEqualTo(reference[3 * COLS + i]);
        }
    }

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void dotMatchesScalarReferenceOnEveryRow(TensorType type) {
        Random random = new Random(2);
        float[] values = gaussian(random, ROWS * COLS, 0.05f);
        byte[] bytes = Quantization.encode(type, values);
        float[] reference = ReferenceDecoder.decode(type, bytes, values.length);
        MappedTensor tensor = mapped(type, bytes, values.length);
        int xOffset = 5;
        float[] x = gaussian(random, COLS + xOffset, 1f);

        for (int row = 0; row < ROWS; row++) {
            double expected = 0;
            double magnitude = 0;
            for (int c = 0; c < COLS; c++) {
                expected += (double) reference[row * COLS + c] * x[xOffset + c];
                magnitude += Math.abs((double) reference[row * COLS + c] * x[xOffset + c]);
            }
            float actual = tensor.dot((long) row * COLS, x, xOffset, COLS);
            assertThat((double) actual).as("%s row %d", type, row).isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F32", "F16", "BF16"})
    void dotHandlesLengthsThatAreNotAMultipleOfTheVectorWidth(TensorType type) {
        Random random = new Random(3);
        int n = 1000 + 7;
        float[] values = gaussian(random, n + 3, 1f);
        MappedTensor tensor = mapped(type, Quantization.encode(type, values), values.length);
        float[] reference = ReferenceDecoder.decode(type, Quantization.encode(type, values), values.length);
        float[] x = gaussian(random, n, 1f);
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            expected += (double) reference[3 + i] * x[i];
            magnitude += Math.abs((double) reference[3 + i] * x[i]);
        }
        assertThat((double) tensor.dot(3, x, 0, n)).isCloseTo(expected, within(1e-5 * magnitude));
    }

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void matmulEqualsRowDots(TensorType type) {
        Random random = new Random(4);
        float[] values = gaussian(random, ROWS * COLS, 0.1f);
        MappedTensor tensor = mapped(type, Quantization.encode(type, values), values.length);
        float[] x = gaussian(random, COLS, 1f);
        float[] out = new float[ROWS];
        tensor.matmul(x, out, ROWS, COLS);
        for (int row = 0; row < ROWS; row++) {
            assertThat(out[row]).isEqualTo(tensor.dot((long) row * COLS, x, 0, COLS));
        }
    }

    /** Elements before the first block boundary and after the last are read one by one, the blocks between by the kernels. */
    @ParameterizedTest
    @EnumSource(TensorType.class)
    void copyAndDotAcceptRangesThatStartAndEndInsideABlock(TensorType type) {
        Random random = new Random(6);
        float[] values = gaussian(random, ROWS * COLS, 0.05f);
        byte[] bytes = Quantization.encode(type, values);
        float[] reference = ReferenceDecoder.decode(type, bytes, values.length);
        MappedTensor tensor = mapped(type, bytes, values.length);
        float[] x = gaussian(random, COLS, 1f);
        for (int[] range : new int[][] {{5, 700}, {256, 300}, {1000, 7}, {3 * COLS + 31, 2 * COLS}}) {
            int offset = range[0];
            int n = range[1];
            float[] copied = new float[n + 2];
            tensor.copyTo(offset, copied, 2, n);
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                assertThat(copied[2 + i]).as("%s element %d", type, offset + i).isEqualTo(reference[offset + i]);
                if (i < x.length) {
                    expected += (double) reference[offset + i] * x[i];
                    magnitude += Math.abs((double) reference[offset + i] * x[i]);
                }
            }
            int m = Math.min(n, x.length);
            assertThat((double) tensor.dot(offset, x, 0, m)).as("%s dot at %d", type, offset)
                    .isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
        }
    }

    @Test
    void arrayTensorDotsAndCopies() {
        Random random = new Random(5);
        float[] values = gaussian(random, 333, 1f);
        float[] x = gaussian(random, 300, 1f);
        ArrayFloatTensor tensor = new ArrayFloatTensor(values);
        double expected = 0;
        for (int i = 0; i < 300; i++) {
            expected += (double) values[10 + i] * x[i];
        }
        assertThat((double) tensor.dot(10, x, 0, 300)).isCloseTo(expected, within(1e-4));
        assertThat(tensor.getFloat(7)).isEqualTo(values[7]);
        assertThat(tensor.size()).isEqualTo(333);
    }

    @Test
    void rejectsASegmentOfTheWrongSize() {
        MemorySegment segment = ARENA.allocate(100);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MappedTensor.of(TensorType.Q8_0, segment, 64))
                .hasMessageContaining("needs 68 bytes");
    }
}
