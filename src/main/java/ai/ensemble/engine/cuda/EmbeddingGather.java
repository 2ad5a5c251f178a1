package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/embedding.cu (BF16 tables) and dequant.cu's gather_rows_* (F16, F32,
 * Q8_0 tables): one row of the table into the f32 residual stream, exactly.
 */
final class EmbeddingGather {

    private final CudaContext context;
    private final CUfunction kernel;
    private final CUfunction q8;
    private final CUfunction f16;
    private final CUfunction f32;

    EmbeddingGather(CudaContext context) {
        this.context = context;
        this.kernel = context.function("embedding", "embedding_gather");
        this.q8 = context.function("dequant", "gather_rows_q8_0");
        this.f16 = context.function("dequant", "gather_rows_f16");
        this.f32 = context.function("dequant", "gather_rows_f32");
    }

    /** x (dim) = table[token[0]] with table (vocab, dim) bf16 and token (1) int32 on the device. */
    void launch(DeviceBuffer table, DeviceBuffer token, DeviceBuffer x, int dim) {
        context.launch(kernel, (dim + 255) / 256, 256, table, token, x, dim);
    }

    /** x (dim) = table[token[0]] as f32, for a table of any {@link DeviceMatrix} type. */
    void launch(DeviceMatrix table, DeviceBuffer token, DeviceBuffer x, int dim) {
        if (table.cols() != dim) {
            throw new IllegalArgumentException("an embedding row of " + dim + " from a table of " + table.cols() + " columns");
        }
        switch (table.type()) {
            case BF16 -> launch(table.buffer(), token, x, dim);
            case Q8_0 -> context.launch(q8, (dim + 255) / 256, 256, table.quants(), table.scales(), token, x, dim);
            case F16 -> context.launch(f16, (dim + 255) / 256, 256, table.buffer(), token, x, dim);
            case F32 -> context.launch(f32, (dim + 255) / 256, 256, table.buffer(), token, x, dim);
            default -> throw new IllegalArgumentException("no embedding gather for " + table.type());
        }
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
