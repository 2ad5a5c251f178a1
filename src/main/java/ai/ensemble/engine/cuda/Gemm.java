package ai.ensemble.engine.cuda;

/**
 * The GEMM that prefill and batched decode run: cuBLAS 13 where the host has it ({@link Cublas}),
 * else the engine's own tensor-core kernel ({@link TensorCoreGemm}).
 */
interface Gemm extends AutoCloseable {

    /**
     * Row-major C (n, m) f32 {@code (accumulate ? += : =)} X (n, k) · Wᵀ with W (m, k) and X (n, k)
     * BF16 row-major; asynchronous on the engine's stream.
     */
    default void matmulRowMajor(DeviceBuffer w, DeviceBuffer x, DeviceBuffer c, int m, int n, int k, boolean accumulate) {
        matmulRowMajor(w, x, c, m, n, k, m, accumulate);
    }

    /**
     * As above with C's rows {@code ldc} floats apart (ldc ≥ m): the columns [j, j + m) of a wider C when
     * {@code c} starts at its column j, for a GEMM over a range of W's rows.
     */
    void matmulRowMajor(DeviceBuffer w, DeviceBuffer x, DeviceBuffer c, int m, int n, int k, int ldc, boolean accumulate);

    /** What runs the GEMMs, in words (logs, benchmarks). */
    String description();

    @Override
    void close();
}
