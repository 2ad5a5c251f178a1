package ai.ensemble.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Matrix-vector throughput of each tensor type: a (2048, 8192) matrix times a vector, through
 * {@link FloatTensor#matmul} (all cores), reported as GB/s of weight bytes read. Matrices are
 * repeated until their copies exceed 256 MB, so the weights stream from memory, not the cache.
 * Not a test; run it after {@code ./mvnw test-compile}:
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes ai.ensemble.engine.tensor.MatmulThroughput</pre>
 */
public final class MatmulThroughput {

    private static final int ROWS = 2048;
    private static final int COLS = 8192;

    public static void main(String[] args) {
        Random random = new Random(1);
        float[] values = new float[ROWS * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] out = new float[ROWS];
        System.out.printf("kernels %s, %d cores; (%d, %d) matmul%n", Kernels.description(), Runtime.getRuntime().availableProcessors(), ROWS, COLS);
        System.out.printf("%-5s %10s %8s %10s %12s%n", "type", "MB/matrix", "copies", "ms/matmul", "GB/s weights");
        for (TensorType type : TensorType.values()) {
            byte[] bytes = Quantization.encode(type, values);
            int copies = (int) Math.max(1, (256L << 20) / bytes.length + 1);
            try (Arena arena = Arena.ofShared()) {
                FloatTensor[] tensors = new FloatTensor[copies];
                for (int c = 0; c < copies; c++) {
                    MemorySegment segment = arena.allocate(bytes.length, 64);
                    MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
                    tensors[c] = MappedTensor.of(type, segment, values.length);
                }
                for (int i = 0; i < 30; i++) {
                    tensors[i % copies].matmul(x, out, ROWS, COLS);
                }
                // Best of five rounds: the machine may be shared, and the best round is the least disturbed.
                int iterations = Math.max(20, copies * 2);
                double seconds = Double.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < iterations; i++) {
                        tensors[i % copies].matmul(x, out, ROWS, COLS);
                    }
                    seconds = Math.min(seconds, (System.nanoTime() - start) / 1e9 / iterations);
                }
                System.out.printf("%-5s %10.1f %8d %10.2f %12.2f%n", type, bytes.length / 1e6, copies, seconds * 1e3, bytes.length / seconds / 1e9);
            }
        }
    }
}
