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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scalar kernels against the vector kernels on random data, both in this JVM (the test JVM has
 * the Vector API module; without it the vector half is skipped). Copies must agree bit for bit, and
 * with the reference decoder; dots, which sum in different orders, within 1e-5 · Σ|w·x| of each
 * other and of a double-precision sum.
 */
class KernelsTest {

    private static final Arena ARENA = Arena.ofShared();
    private static final Kernels SCALAR = new ScalarKernels("scalar (test)");
    private static final int ROWS = 6;
    private static final int COLS = 1024;

    @AfterAll
    static void close() {
        ARENA.close();
    }

    /** The vector kernels, made as the engine makes them (by name), or the test is skipped. */
    private static Kernels vector() {
        assumeTrue(ModuleLayer.boot().findModule(Kernels.VECTOR_MODULE).isPresent(), "JVM started without " + Kernels.VECTOR_MODULE);
        Kernels kernels = Kernels.choose(true, false);
        assumeTrue(kernels.isVector(), kernels.name());
        return kernels;
    }

    private static MemorySegment segment(byte[] bytes) {
        MemorySegment segment = ARENA.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return segment;
    }

    @Test
    void choosesScalarWithoutTheModuleAndSaysHowToAddIt() {
        Kernels kernels = Kernels.choose(false, false);
        assertThat(kernels.isVector()).isFalse();
        assertThat(kernels.name()).isEqualTo("scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)");
    }

    @Test
    void choosesScalarWhenAskedEvenWithTheModule() {
        Kernels kernels = Kernels.choose(true, true);
        assertThat(kernels.isVector()).isFalse();
        assertThat(kernels.name()).isEqualTo("scalar (-Densemble.engine.scalar=true)");
    }

    @Test
    void choosesVectorsWhereTheModuleIsLoadedAndNamesTheShape() {
        assertThat(vector().name()).matches("vector \\(.+, (8|16) lanes\\)");
    }

    @Test
    void descriptionIsTheActiveChoice() {
        assertThat(Kernels.description()).isEqualTo(Kernels.active().name());
        assertThat(Kernels.description()).startsWith(Kernels.vectorised() ? "vector (" : "scalar (");
    }

    /** Copies over every layout with blocks; F16 and BF16 also from an odd element and for an odd count (vector tails). */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K"})
    void copiesAgreeBitForBit(TensorType type) {
        Kernels vector = vector();
        float[] values = FloatTensorTest.gaussian(new Random(11), ROWS * COLS, 0.05f);
        byte[] bytes = Quantization.encode(type, values);
        float[] reference = ReferenceDecoder.decode(type, bytes, values.length);
        MemorySegment segment = segment(bytes);
        int block = type.blockSize();
        int[][] ranges = block == 1 ? new int[][] {{0, ROWS * COLS}, {3, 1007}, {COLS, 5}} : new int[][] {{0, ROWS * COLS}, {COLS, 2 * COLS}};
        for (int[] range : ranges) {
            int from = range[0];
            int n = range[1];
            long byteOffset = (long) from / block * type.blockBytes();
            float[] scalar = new float[n + 1];
            float[] vectorised = new float[n + 1];
            copy(SCALAR, type, segment, byteOffset, scalar, n / block);
            copy(vector, type, segment, byteOffset, vectorised, n / block);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(vectorised[1 + i])).as("%s element %d", type, from + i)
                        .isEqualTo(Float.floatToRawIntBits(scalar[1 + i]))
                        .isEqualTo(Float.floatToRawIntBits(reference[from + i]));
            }
        }
    }

    private static void copy(Kernels kernels, TensorType type, MemorySegment w, long byteOffset, float[] out, int count) {
        switch (type) {
            case F16 -> kernels.copyF16(w, byteOffset, out, 1, count);
            case BF16 -> kernels.copyBf16(w, byteOffset, out, 1, count);
            case Q8_0 -> kernels.copyQ8_0(w, byteOffset, out, 1, count);
            case Q4_0 -> kernels.copyQ4_0(w, byteOffset, out, 1, count);
            case Q4_K -> kernels.copyQ4_K(w, byteOffset, out, 1, count);
            case F32 -> throw new IllegalArgumentException("F32 copies are MemorySegment.copy");
        }
    }

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void dotsAgreeWithinRounding(TensorType type) {
        Kernels vector = vector();
        Random random = new Random(12);
        float[] values = FloatTensorTest.gaussian(random, ROWS * COLS, 0.05f);
        byte[] bytes = Quantization.encode(type, values);
        float[] reference = ReferenceDecoder.decode(type, bytes, values.length);
        MemorySegment segment = segment(bytes);
        int xOffset = 5;
        float[] x = FloatTensorTest.gaussian(random, COLS + xOffset, 1f);
        int block = type.blockSize();
        // Whole rows; for the float types also a run from an odd element of odd length (the vector tails).
        int[][] ranges = block == 1 ? new int[][] {{0, COLS}, {COLS, COLS}, {5 * COLS, COLS}, {3, 1007}, {2 * COLS + 1, 13}}
                : new int[][] {{0, COLS}, {COLS, COLS}, {5 * COLS, COLS}};
        for (int[] range : ranges) {
            int from = range[0];
            int n = range[1];
            long byteOffset = (long) from / block * type.blockBytes();
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) reference[from + i] * x[xOffset + i];
                magnitude += Math.abs((double) reference[from + i] * x[xOffset + i]);
            }
            float scalar = dot(SCALAR, type, segment, byteOffset, x, xOffset, n / block);
            float vectorised = dot(vector, type, segment, byteOffset, x, xOffset, n / block);
            assertThat((double) scalar).as("%s scalar dot of [%d, +%d)", type, from, n).isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
            assertThat((double) vectorised).as("%s vector dot of [%d, +%d)", type, from, n).isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
            assertThat((double) vectorised).isCloseTo(scalar, within(1e-5 * magnitude + 1e-7));
        }
    }

    private static float dot(Kernels kernels, TensorType type, MemorySegment w, long byteOffset, float[] x, int xOffset, int count) {
        return switch (type) {
            case F32 -> kernels.dotF32(w, byteOffset, x, xOffset, count);
            case F16 -> kernels.dotF16(w, byteOffset, x, xOffset, count);
            case BF16 -> kernels.dotBf16(w, byteOffset, x, xOffset, count);
            case Q8_0 -> kernels.dotQ8_0(w, byteOffset, x, xOffset, count);
            case Q4_0 -> kernels.dotQ4_0(w, byteOffset, x, xOffset, count);
            case Q4_K -> kernels.dotQ4_K(w, byteOffset, x, xOffset, count);
        };
    }

    @Test
    void arrayDotsAgreeWithinRounding() {
        Kernels vector = vector();
        Random random = new Random(13);
        float[] w = FloatTensorTest.gaussian(random, 2000, 1f);
        float[] x = FloatTensorTest.gaussian(random, 2000, 1f);
        for (int n : new int[] {0, 1, 15, 16, 31, 32, 33, 1000, 1999}) {
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) w[1 + i] * x[i];
                magnitude += Math.abs((double) w[1 + i] * x[i]);
            }
            assertThat((double) SCALAR.dotF32(w, 1, x, 0, n)).as("scalar, n = %d", n).isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
            assertThat((double) vector.dotF32(w, 1, x, 0, n)).as("vector, n = %d", n).isCloseTo(expected, within(1e-5 * magnitude + 1e-7));
        }
    }

    /** The vector half-to-float conversion works without a table: every one of the 65,536 halves is checked. */
    @Test
    void halfConversionIsExactOnEveryBitPattern() {
        Kernels vector = vector();
        MemorySegment halves = ARENA.allocate(2 * 65536, 64);
        for (int i = 0; i < 65536; i++) {
            halves.set(MappedTensor.SHORT, 2L * i, (short) i);
        }
        float[] scalar = new float[65536];
        float[] vectorised = new float[65536];
        SCALAR.copyF16(halves, 0, scalar, 0, 65536);
        vector.copyF16(halves, 0, vectorised, 0, 65536);
        for (int i = 0; i < 65536; i++) {
            float expected = Float.float16ToFloat((short) i);
            if (Float.isNaN(expected)) {
                assertThat(vectorised[i]).as("half 0x%04x", i).isNaN();
                assertThat(scalar[i]).as("half 0x%04x", i).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(vectorised[i])).as("half 0x%04x", i).isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(Float.floatToRawIntBits(scalar[i])).as("half 0x%04x", i).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }
}
