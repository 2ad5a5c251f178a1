package ai.ensemble.engine.cpu;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scalar array kernels against the vector ones on random data, in this JVM (the test JVM has
 * the Vector API module; without it these tests are skipped). Dots sum in different orders and must
 * agree within 1e-5 · Σ|a·b|; additions agree exactly, and a · x + y within the rounding of the
 * product (the vector kernel fuses it).
 */
class ArrayKernelsTest {

    private static final ArrayKernels SCALAR = new ScalarArrayKernels();
    private static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 64, 100, 1007};

    private static ArrayKernels vector() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "JVM started without jdk.incubator.vector");
        ArrayKernels kernels = ArrayKernels.choose(true);
        assumeTrue(!(kernels instanceof ScalarArrayKernels), "vector kernels did not load");
        return kernels;
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void dotsAgreeWithinRounding() {
        ArrayKernels vector = vector();
        Random random = new Random(21);
        float[] a = gaussian(random, 1100);
        float[] b = gaussian(random, 1100);
        for (int n : LENGTHS) {
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) a[3 + i] * b[40 + i];
                magnitude += Math.abs((double) a[3 + i] * b[40 + i]);
            }
            double tolerance = 1e-5 * magnitude + 1e-7;
            assertThat((double) SCALAR.dot(a, 3, b, 40, n)).as("scalar, n = %d", n).isCloseTo(expected, within(tolerance));
            assertThat((double) vector.dot(a, 3, b, 40, n)).as("vector, n = %d", n).isCloseTo(expected, within(tolerance));
        }
    }

    @Test
    void fourTokenDotsAgreeWithinRounding() {
        ArrayKernels vector = vector();
        Random random = new Random(22);
        for (int n : LENGTHS) {
            float[] w = gaussian(random, n);
            float[][] x = new float[6][];
            for (int t = 0; t < x.length; t++) {
                x[t] = gaussian(random, n);
            }
            float[][] scalarOut = new float[6][3];
            float[][] vectorOut = new float[6][3];
            SCALAR.dot4(w, x, 2, n, scalarOut, 1);
            vector.dot4(w, x, 2, n, vectorOut, 1);
            for (int t = 2; t < 6; t++) {
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    magnitude += Math.abs((double) w[i] * x[t][i]);
                }
                assertThat((double) vectorOut[t][1]).as("token %d, n = %d", t, n)
                        .isCloseTo(scalarOut[t][1], within(2e-5 * magnitude + 1e-7));
            }
            assertThat(vectorOut[0]).containsOnly(0f);
            assertThat(vectorOut[1]).containsOnly(0f);
        }
    }

    @Test
    void additionsAgree() {
        ArrayKernels vector = vector();
        Random random = new Random(23);
        for (int n : LENGTHS) {
            float[] x = gaussian(random, n + 9);
            float[] y = gaussian(random, n + 5);
            float[] scalarY = y.clone();
            float[] vectorY = y.clone();
            SCALAR.add(x, scalarY, n);
            vector.add(x, vectorY, n);
            assertThat(vectorY).as("add, n = %d", n).containsExactly(scalarY);

            scalarY = y.clone();
            vectorY = y.clone();
            SCALAR.addScaled(0.37f, x, 9, scalarY, 5, n);
            vector.addScaled(0.37f, x, 9, vectorY, 5, n);
            for (int i = 0; i < n + 5; i++) {
                float product = 0.37f * (i >= 5 ? x[9 + i - 5] : 0f);
                assertThat(vectorY[i]).as("addScaled element %d, n = %d", i, n)
                        .isCloseTo(scalarY[i], within(Math.ulp(product) + 2 * Math.ulp(scalarY[i])));
            }
        }
    }
}
