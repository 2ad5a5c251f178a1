package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.engine.tensor.TensorType;
import jcuda.driver.CUfunction;

/**
 * What the batched paths ({@link CudaPrefill}, {@link BatchDecoder}) do with a {@link DeviceMatrix}
 * of any type: gather embedding rows, and the GEMM {@code out (n, m) (+)= in (n, k) · Wᵀ} with the
 * activations given as a BF16 pair hi (+ lo) (prefill.cu, paged.cu write them).
 *
 * <p>BF16 matrices go to cuBLAS as they are: W·hi (+ W·lo). Any other type is first decoded by
 * dequant.cu into a reusable scratch BF16 pair Whi (+ Wlo) right before its GEMM ({@link #dense}),
 * in pieces of at most {@value #SCRATCH_ELEMENTS} weights (whole rows; a piece's GEMM writes its
 * columns of out, ldc = m), then W·x ≈ Whi·hi + Whi·lo + Wlo·hi (three GEMMs; Wlo·lo is below f32
 * rounding).
 *
 * <p>Precision: Whi + Wlo carries 16 significant bits of each weight (|w − Whi| ≤ 2^-8 |w|,
 * |w − Whi − Wlo| ≤ 2^-16 |w|): exact for F16 (11 bits), within 2^-16 for Q8_0's d · q (up to 18
 * bits) and F32 — the precision the hi + lo split gives the activations — so the split
 * path keeps matching the f32 decode GEMVs (which read d · q exactly) to ~1e-5, as it does for BF16
 * weights. F16 as the GEMM type would keep only 11 bits of d · q, narrow the activations' range and
 * need F16 activation kernels; BF16 keeps f32's range and the existing activation kernels. With
 * {@link CudaPrefill.Precision#BF16} (lo null) the weight is rounded to BF16 once, one GEMM, as the
 * activations are. The cost: decoding writes 4 bytes per weight (2 without lo) and the GEMMs read
 * them back, so a step moves ~9 bytes per Q8_0 weight (SPLIT) where a BF16 one reads 2.
 *
 * <p>Small batches: with at most {@link #GEMV_ROWS} rows (batched decode of a few sequences, short
 * prompts) a non-BF16 matrix is not decoded; each row runs the decode GEMV ({@link Gemv}, which reads
 * the type directly, ~1.06 bytes per Q8_0 weight) on its activations joined back to f32 (hi + lo,
 * exact: dequant.cu's join_split_bf16), so n rows read the matrix n times. Same precision as the GEMM
 * path (the f32 value of hi + lo against the exact weights). A GEMM kernel reading Q8_0 for every n
 * would be the next step.
 *
 * <p>One instance per {@link CudaForward} ({@link CudaForward#matrices}): its scratch is shared by the
 * forward's prefill and the batch decoder, whose calls never overlap (the scheduler's steps hold the
 * forward's monitor) and whose kernels run in order on the one stream. The scratch is allocated
 * when made, sized for the largest piece of the weights' non-BF16 matrices (none for BF16 models),
 * so nothing is allocated while a CUDA graph is being captured.
 */
final class MatrixKernels implements AutoCloseable {

    /** Most weights decoded at once: 128 MiB of scratch (hi + lo). */
    static final long SCRATCH_ELEMENTS = 32L << 20;
    /** Up to this many rows a non-BF16 matmul runs as one decode GEMV per row (see the class comment). */
    static final int GEMV_ROWS = 4;
    /** Whether the small-batch GEMV path is used (tests and benchmarks switch it off to compare). */
    static volatile boolean smallBatchGemv = true;
    /**
     * Up to this many rows a BF16 matmul also runs as decode GEMVs (default 1: one sequence decoding
     * alone reads each matrix once either way, and the GEMV is faster than a GEMM of n = 1; with more
     * rows the GEMVs read the matrix once per row). Read per call; {@code -Densemble.cuda.bf16GemvRows}.
     */
    static volatile int bf16GemvRows = Integer.getInteger("ensemble.cuda.bf16GemvRows", 1);

    private final CudaContext context;
    private final Gemm gemm;
    private final CUfunction gatherBf16;
    private final CUfunction gatherQ8;
    private final CUfunction gatherF16;
    private final CUfunction gatherF32;
    private final CUfunction dequantQ8;
    private final CUfunction dequantF16;
    private final CUfunction dequantF32;
    private final CUfunction join;
    private final Gemv gemv;
    private final long scratchElements;
    private final long pieceElements;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private DeviceBuffer scratchHi; // (scratchElements) bf16, null when every matrix is BF16
    private DeviceBuffer scratchLo;
    private DeviceBuffer joined;    // (GEMV_ROWS, largest cols) f32: small batches' activations

    /** For the matrices of {@code weights}; {@code gemm} may be null where only gathers and decodes are used (tests). */
    MatrixKernels(CudaContext context, Gemm gemm, DeviceWeights weights) {
        this(context, gemm, scratchFor(weights, SCRATCH_ELEMENTS), SCRATCH_ELEMENTS, widestFor(weights));
    }

    /**
     * With {@code scratchElements} of scratch (0: BF16 matrices only), pieces of at most {@code pieceElements}
     * weights (tests make it small), and small-batch activations of up to {@code widest} columns (0: none).
     */
    MatrixKernels(CudaContext context, Gemm gemm, long scratchElements, long pieceElements, int widest) {
        this.context = context;
        this.gemm = gemm;
        this.gatherBf16 = context.function("prefill", "embedding_gather_rows");
        this.gatherQ8 = context.function("dequant", "gather_rows_q8_0");
        this.gatherF16 = context.function("dequant", "gather_rows_f16");
        this.gatherF32 = context.function("dequant", "gather_rows_f32");
        this.dequantQ8 = context.function("dequant", "dequant_q8_0_split_bf16");
        this.dequantF16 = context.function("dequant", "dequant_f16_split_bf16");
        this.dequantF32 = context.function("dequant", "dequant_f32_split_bf16");
        this.join = context.function("dequant", "join_split_bf16");
        this.gemv = new Gemv(context);
        this.scratchElements = scratchElements;
        this.pieceElements = pieceElements;
        try {
            if (scratchElements > 0) {
                scratchHi = allocate(2 * scratchElements);
                scratchLo = allocate(2 * scratchElements);
            }
            if (widest > 0) {
                joined = allocate(4L * GEMV_ROWS * widest);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private DeviceBuffer allocate(long bytes) {
        DeviceBuffer buffer = DeviceBuffer.allocate(bytes);
        buffers.add(buffer);
        return buffer;
    }

    /** The matrices the batched paths multiply by (the embedding is only gathered). */
    private static List<DeviceMatrix> gemmMatrices(DeviceWeights weights) {
        List<DeviceMatrix> all = new ArrayList<>(List.of(weights.output));
        for (DeviceWeights.Layer layer : weights.layers) {
            all.addAll(List.of(layer.qkv(), layer.wo(), layer.gateUp(), layer.down()));
        }
        return all;
    }

    /** The scratch the non-BF16 matrices of {@code weights}' GEMMs need: their largest piece, a multiple of 8 weights. */
    static long scratchFor(DeviceWeights weights, long pieceElements) {
        long most = 0;
        for (DeviceMatrix matrix : gemmMatrices(weights)) {
            if (matrix.type() != TensorType.BF16) {
                most = Math.max(most, (long) pieceRows(matrix.rows(), matrix.cols(), pieceElements) * matrix.cols());
            }
        }
        return (most + 7) / 8 * 8;
    }

    /** The most columns of a non-BF16 matrix of {@code weights}' GEMMs (0 when all are BF16). */
    static int widestFor(DeviceWeights weights) {
        int widest = 0;
        for (DeviceMatrix matrix : gemmMatrices(weights)) {
            widest = Math.max(widest, matrix.cols()); // BF16 too: a lone sequence's rows take the GEMV (bf16GemvRows)
        }
        return widest;
    }

    /** Rows decoded at once: all of them when they fit {@link #SCRATCH_ELEMENTS}, else a multiple of 16 rows that fits. */
    static int pieceRows(int rows, int cols) {
        return pieceRows(rows, cols, SCRATCH_ELEMENTS);
    }

    static int pieceRows(int rows, int cols, long pieceElements) {
        long fit = pieceElements / cols;
        if (fit >= rows) {
            return rows;
        }
        return (int) Math.max(1, fit >= 16 ? fit / 16 * 16 : fit);
    }

    /** x (n, dim) f32 = rows tokens[0..n) of the embedding table, exactly. */
    void gatherRows(DeviceMatrix table, DeviceBuffer tokens, DeviceBuffer x, int n) {
        int dim = table.cols();
        int grid = (dim + 255) / 256;
        switch (table.type()) {
            case BF16 -> context.launch2d(gatherBf16, grid, n, 256, table.buffer(), tokens, x, dim);
            case Q8_0 -> context.launch2d(gatherQ8, grid, n, 256, table.quants(), table.scales(), tokens, x, dim);
            case F16 -> context.launch2d(gatherF16, grid, n, 256, table.buffer(), tokens, x, dim);
            case F32 -> context.launch2d(gatherF32, grid, n, 256, table.buffer(), tokens, x, dim);
            default -> throw new IllegalArgumentException("no gather for " + table.type());
        }
    }

    /**
     * out (n, m) (+)= in (n, k) · Wᵀ with in = hi (+ lo), W (m, k) of any type (see the class comment);
     * out row-major f32, hi and lo (n, k) bf16, lo null for the single-GEMM BF16 precision.
     */
    void matmul(DeviceMatrix w, int m, int k, DeviceBuffer hi, DeviceBuffer lo, DeviceBuffer out, int n, boolean accumulate) {
        if (w.rows() != m || w.cols() != k) {
            throw new IllegalArgumentException("a GEMM of " + m + " × " + k + " was given a matrix of " + w.rows() + " × " + w.cols());
        }
        boolean gemvRows = smallBatchGemv && joined != null && joined.bytes() >= 4L * n * k
                && n <= (w.type() == TensorType.BF16 ? Math.min(bf16GemvRows, GEMV_ROWS) : GEMV_ROWS);
        if (w.type() == TensorType.BF16 && !gemvRows) {
            gemm.matmulRowMajor(w.buffer(), hi, out, m, n, k, accumulate);
            if (lo != null) {
                gemm.matmulRowMajor(w.buffer(), lo, out, m, n, k, true);
            }
            return;
        }
        if (gemvRows) {
            for (int row = 0; row < n; row++) {
                DeviceBuffer x = joined.slice(4L * row * k, 4L * k);
                context.launch(join, (k + 255) / 256, 256, hi.slice(2L * row * k, 2L * k),
                        lo == null ? null : lo.slice(2L * row * k, 2L * k), k, x);
                DeviceBuffer y = out.slice(4L * row * m, 4L * m);
                if (accumulate) {
                    gemv.addProjection(w, x, y, m, k);
                } else {
                    gemv.project(w, x, null, 0f, null, y, m, k);
                }
            }
            return;
        }
        int piece = pieceRows(m, k, pieceElements);
        for (int first = 0; first < m; first += piece) {
            int count = Math.min(piece, m - first);
            dense(w, first, count, scratchHi, lo != null ? scratchLo : null);
            DeviceBuffer c = first == 0 ? out : out.slice(4L * first, out.bytes() - 4L * first);
            gemm.matmulRowMajor(scratchHi, hi, c, count, n, k, m, accumulate);
            if (lo != null) {
                gemm.matmulRowMajor(scratchHi, lo, c, count, n, k, m, true);
                gemm.matmulRowMajor(scratchLo, hi, c, count, n, k, m, true);
            }
        }
    }

    /**
     * Decodes rows [first, first + count) of {@code w} (not BF16) into hi (count, cols) bf16 and, when
     * not null, lo: hi = bf16(w), lo = bf16(w − hi), bit for bit {@link #referenceSplit}.
     */
    void dense(DeviceMatrix w, int first, int count, DeviceBuffer hi, DeviceBuffer lo) {
        long k = w.cols();
        long n = count * k;
        if (first < 0 || count <= 0 || first + count > w.rows() || hi == null || hi.bytes() < 2 * n || (lo != null && lo.bytes() < 2 * n)) {
            throw new IllegalArgumentException("rows [" + first + ", " + (first + count) + ") of a matrix of " + w.rows()
                    + " rows do not fit the scratch given");
        }
        switch (w.type()) {
            case Q8_0 -> context.launch(dequantQ8, Math.toIntExact((n / 16 + 255) / 256), 256,
                    w.quants().slice(first * k, n), w.scales().slice(first * k / 16, n / 16), count, (int) k, hi, lo);
            case F16 -> context.launch(dequantF16, Math.toIntExact((n + 255) / 256), 256,
                    w.buffer().slice(2 * first * k, 2 * n), n, hi, lo);
            case F32 -> context.launch(dequantF32, Math.toIntExact((n + 255) / 256), 256,
                    w.buffer().slice(4 * first * k, 4 * n), n, hi, lo);
            default -> throw new IllegalArgumentException("a " + w.type() + " matrix is not decoded");
        }
    }

    long scratchElements() {
        return scratchElements;
    }

    /** CPU reference of {@link #dense}: {hi, lo} bf16 bits of decoded weights, lo = bf16(v − hi). */
    static short[][] referenceSplit(float[] values) {
        short[] hi = new short[values.length];
        short[] lo = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            hi[i] = Bf16.fromFloat(values[i]);
            lo[i] = Bf16.fromFloat(values[i] - Bf16.toFloat(hi[i]));
        }
        return new short[][] {hi, lo};
    }

    @Override
    public void close() {
        buffers.forEach(DeviceBuffer::free);
        buffers.clear();
        scratchHi = null;
        scratchLo = null;
    }
}
