package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/** Host side of src/main/cuda/embedding.cu: one row of the bf16 table into the f32 residual stream. */
final class EmbeddingGather {

    private final CudaContext context;
    private final CUfunction kernel;

    EmbeddingGather(CudaContext context) {
        this.context = context;
        this.kernel = context.function("embedding", "embedding_gather");
    }

    /** x (dim) = table[token[0]] with table (vocab, dim) bf16 and token (1) int32 on the device. */
    void launch(DeviceBuffer table, DeviceBuffer token, DeviceBuffer x, int dim) {
        context.launch(kernel, (dim + 255) / 256, 256, table, token, x, dim);
    }

    /** CPU reference: table holds raw bf16 bits. */
    static float[] reference(short[] table, int token, int dim) {
        float[] x = new float[dim];
        for (int i = 0; i < dim; i++) {
            x[i] = Bf16.toFloat(table[token * dim + i]);
        }
        return x;
    }
}
