package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/gemm.cu: the engine's own BF16 tensor-core GEMM (WMMA, f32
 * accumulation), used where cuBLAS 13 cannot be loaded, or when {@code -Densemble.cuda.gemm=tensorcore}
 * asks for it.
 */
final class TensorCoreGemm implements Gemm {

    private static final int TILE = 64;

    private final CudaContext context;
    private final CUfunction kernel;

    TensorCoreGemm(CudaContext context) {
        this.context = context;
        this.kernel = context.function("gemm", "gemm_bf16_tc");
    }

    @Override
    public void matmulRowMajor(DeviceBuffer w, DeviceBuffer x, DeviceBuffer c, int m, int n, int k, int ldc, boolean accumulate) {
        if (k % 8 != 0 || m <= 0 || n <= 0 || k <= 0 || ldc < m) {
            throw new IllegalArgumentException("gemm_bf16_tc needs positive m, n, k, k a multiple of 8 and ldc ≥ m; got m=" + m
                    + ", n=" + n + ", k=" + k + ", ldc=" + ldc);
        }
        context.launch2d(kernel, (m + TILE - 1) / TILE, (n + TILE - 1) / TILE, 128, w, x, c, m, n, k, ldc, accumulate ? 1 : 0);
    }

    @Override
    public String description() {
        return "the engine's tensor-core GEMM (gemm.cu)";
    }

    @Override
    public void close() {
        // nothing held beyond the context's module
    }

    /** CPU reference in double: c (n, m) = (accumulate ? c : 0) + x (n, k) · wᵀ, w (m, k) and x as bf16 bits. */
    static float[] reference(short[] w, short[] x, float[] c, int m, int n, int k, boolean accumulate) {
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double sum = accumulate ? c[i * m + j] : 0;
                for (int l = 0; l < k; l++) {
                    sum += (double) Bf16.toFloat(x[i * k + l]) * Bf16.toFloat(w[j * k + l]);
                }
                out[i * m + j] = (float) sum;
            }
        }
        return out;
    }
}
