package ai.ensemble.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A batch of tokens through each weight type's matmul equals one dot per (row, token): the batch is
 * big enough to go parallel and take the decode-each-row-once path (four tokens at a time, then a
 * remainder of three).
 */
class MatmulTest {

    private static final int ROWS = 256;
    private static final int COLS = 512;
    private static final int TOKENS = 7;

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void batchEqualsOneDotPerRowAndToken(TensorType type) {
        assertThat((long) ROWS * COLS * TOKENS).isGreaterThanOrEqualTo(Matmul.PARALLEL_THRESHOLD);
        Random random = new Random(31);
        float[] values = new float[ROWS * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.05f;
        }
        float[][] in = new float[TOKENS][COLS];
        for (float[] token : in) {
            for (int c = 0; c < COLS; c++) {
                token[c] = (float) random.nextGaussian();
            }
        }
        byte[] bytes = Quantization.encode(type, values);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = arena.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
            FloatTensor w = MappedTensor.of(type, segment, values.length);
            float[][] out = new float[TOKENS][ROWS];
            Matmul.multiply(w, in, out, ROWS, COLS);
            float[] row = new float[COLS];
            for (int r = 0; r < ROWS; r++) {
                w.copyTo((long) r * COLS, row, 0, COLS);
                for (int t = 0; t < TOKENS; t++) {
                    double magnitude = 0;
                    for (int c = 0; c < COLS; c++) {
                        magnitude += Math.abs((double) row[c] * in[t][c]);
                    }
                    assertThat(out[t][r]).as("%s row %d token %d", type, r, t)
                            .isCloseTo(w.dot((long) r * COLS, in[t], 0, COLS), within((float) (2e-5 * magnitude)));
                }
            }
        }
    }
}
