package ai.ensemble.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * A weight matrix of {@code rows × cols} in GPU memory, in one of the types the kernels read:
 * <ul>
 *   <li>BF16, F16: {@code (rows, cols)} row-major, 2 bytes each, as in the file; cols a multiple of 8;</li>
 *   <li>F32: row-major, 4 bytes each (a matrix kept in F32 by its file, e.g. a GGUF Q8_0 file's rows
 *       that are not whole blocks, or one made of parts of different types); cols a multiple of 4;</li>
 *   <li>Q8_0, repacked at upload from GGUF's 34-byte blocks (an f16 scale d, then 32 int8 q; w = d · q):
 *       first the quants {@code Q (rows, cols)} int8 row-major, then the scales {@code S (rows, cols/32)}
 *       f16 row-major, S starting at byte {@code rows · cols}. Block b of row r is Q[r, 32b .. 32b + 31]
 *       with scale S[r, b]. Rows of quants are whole blocks (cols a multiple of 32), so every row starts
 *       16-byte aligned and the GEMV reads 16-byte pieces; the bytes are the file's, 34 per 32 weights.</li>
 * </ul>
 * The decode GEMVs ({@link Gemv}) read every type directly; the GEMMs of prefill and batched decode
 * decode a non-BF16 matrix into a scratch BF16 pair first ({@link MatrixKernels}).
 */
record DeviceMatrix(DeviceBuffer buffer, TensorType type, int rows, int cols) {

    /** The types a matrix can have on the device. */
    static final Set<TensorType> TYPES = EnumSet.of(TensorType.BF16, TensorType.F16, TensorType.F32, TensorType.Q8_0);

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Host staging of a repacked or reordered upload goes in pieces of about this many bytes. */
    private static final long STAGING_BYTES = 64L << 20;

    DeviceMatrix {
        checkShape(type, rows, cols);
        if (buffer != null && buffer.bytes() < bytes(type, rows, cols)) {
            throw new IllegalArgumentException("a " + type + " matrix of " + rows + " × " + cols + " needs "
                    + bytes(type, rows, cols) + " bytes, the buffer has " + buffer.bytes());
        }
    }

    /** A BF16 matrix in {@code buffer} (tests, benchmarks). */
    static DeviceMatrix bf16(DeviceBuffer buffer, int rows, int cols) {
        return new DeviceMatrix(buffer, TensorType.BF16, rows, cols);
    }

    static void checkShape(TensorType type, long rows, long cols) {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("the cuda backend reads BF16, F16, F32 and Q8_0 matrices, not " + type);
        }
        int multiple = multipleOfCols(type);
        if (rows <= 0 || cols <= 0 || cols % multiple != 0) {
            throw new IllegalArgumentException("a " + type + " matrix on the GPU needs rows > 0 and columns a multiple of "
                    + multiple + ", got " + rows + " × " + cols);
        }
    }

    /** What a row's length must be a multiple of: 16-byte pieces for the GEMV, whole blocks for Q8_0. */
    static int multipleOfCols(TensorType type) {
        return switch (type) {
            case Q8_0 -> 32;
            case F32 -> 4;
            default -> 8;
        };
    }

    /** Bytes a matrix of this type and shape takes on the device (Q8_0: 34 per 32 weights). */
    static long bytes(TensorType type, long rows, long cols) {
        return type.bytesFor(rows * cols);
    }

    long bytes() {
        return bytes(type, rows, cols);
    }

    long elements() {
        return (long) rows * cols;
    }

    /** Q8_0: the int8 quants (rows, cols). */
    DeviceBuffer quants() {
        requireQ8();
        return buffer.slice(0, elements());
    }

    /** Q8_0: the f16 scales (rows, cols / 32). */
    DeviceBuffer scales() {
        requireQ8();
        return buffer.slice(elements(), elements() / 16);
    }

    private void requireQ8() {
        if (type != TensorType.Q8_0) {
            throw new IllegalStateException("a " + type + " matrix has no quants or scales");
        }
    }

    /** Row r of the matrix being built is row {@code row} of {@code tensor} (a matrix of {@code cols} columns). */
    record RowSource(FloatTensor tensor, long row) {
    }

    /**
     * The device type of a matrix made of {@code parts}: theirs where all share one of {@link #TYPES};
     * F32 where they differ (exact for every type; logged by the caller); an error for other types.
     */
    static TensorType typeOf(String name, List<FloatTensor> parts) {
        TensorType first = parts.getFirst().type();
        boolean same = parts.stream().allMatch(p -> p.type() == first);
        for (FloatTensor part : parts) {
            if (!TYPES.contains(part.type())) {
                throw new IllegalArgumentException("the cuda backend reads BF16, F16, F32 and Q8_0 matrices; weight "
                        + name + " is " + part.type());
            }
        }
        return same ? first : TensorType.F32;
    }

    /**
     * Uploads a matrix of {@code rows × cols} in {@code type} whose row r is {@code source(r)}. Parts of the
     * device type that are native and in order ({@code order} null) go up as they are; anything repacked
     * (Q8_0), reordered or converted is staged in host memory in pieces of about 64 MiB.
     */
    static DeviceMatrix upload(TensorType type, int rows, int cols, List<FloatTensor> parts, IntUnaryOperator order) {
        checkShape(type, rows, cols);
        DeviceBuffer buffer = DeviceBuffer.allocate(bytes(type, rows, cols));
        try {
            boolean direct = order == null && type != TensorType.Q8_0 && parts.stream().allMatch(p ->
                    p.type() == type && p instanceof MappedTensor mapped && mapped.segment().isNative());
            if (direct) {
                long offset = 0;
                for (FloatTensor part : parts) {
                    MemorySegment segment = ((MappedTensor) part).segment();
                    buffer.upload(offset, segment);
                    offset += segment.byteSize();
                }
            } else {
                RowSources sources = new RowSources(parts, cols, order);
                long mainRowBytes = type == TensorType.Q8_0 ? cols : type.bytesFor(cols);
                long scaleRowBytes = type == TensorType.Q8_0 ? cols / 16 : 0;
                int piece = (int) Math.max(1, Math.min(rows, STAGING_BYTES / (mainRowBytes + scaleRowBytes)));
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment main = arena.allocate(piece * mainRowBytes, 16);
                    MemorySegment scales = scaleRowBytes == 0 ? null : arena.allocate(piece * scaleRowBytes, 16);
                    for (int first = 0; first < rows; first += piece) {
                        int count = Math.min(piece, rows - first);
                        stage(type, cols, sources, first, count, main, scales);
                        buffer.upload(first * mainRowBytes, main.asSlice(0, count * mainRowBytes));
                        if (scales != null) {
                            buffer.upload((long) rows * cols + first * scaleRowBytes, scales.asSlice(0, count * scaleRowBytes));
                        }
                    }
                }
            }
            return new DeviceMatrix(buffer, type, rows, cols);
        } catch (RuntimeException e) {
            buffer.free();
            throw e;
        }
    }

    /** Row r of a matrix stacked from {@code parts} (each a whole number of rows of {@code cols}), in {@code order}. */
    static final class RowSources {
        private final List<FloatTensor> parts;
        private final long[] firstRows;
        private final IntUnaryOperator order;

        RowSources(List<FloatTensor> parts, int cols, IntUnaryOperator order) {
            this.parts = parts;
            this.order = order;
            this.firstRows = new long[parts.size() + 1];
            for (int i = 0; i < parts.size(); i++) {
                long size = parts.get(i).size();
                if (size % cols != 0) {
                    throw new IllegalArgumentException("a part of " + size + " elements is not whole rows of " + cols);
                }
                firstRows[i + 1] = firstRows[i] + size / cols;
            }
        }

        long rows() {
            return firstRows[parts.size()];
        }

        RowSource row(int r) {
            long stacked = order == null ? r : order.applyAsInt(r);
            for (int i = 0; i < parts.size(); i++) {
                if (stacked < firstRows[i + 1]) {
                    return new RowSource(parts.get(i), stacked - firstRows[i]);
                }
            }
            throw new IndexOutOfBoundsException("row " + stacked + " of " + rows());
        }
    }

    /**
     * Writes rows {@code first .. first + count} of the device layout of {@code type} into {@code main}
     * (row i of the piece at i · row bytes) and, for Q8_0, their scales into {@code scales} (at i · cols/16).
     */
    static void stage(TensorType type, int cols, RowSources sources, int first, int count, MemorySegment main, MemorySegment scales) {
        float[] values = null;
        for (int i = 0; i < count; i++) {
            RowSource source = sources.row(first + i);
            FloatTensor tensor = source.tensor();
            if (tensor.type() == type && tensor instanceof MappedTensor mapped) {
                MemorySegment segment = mapped.segment();
                if (type == TensorType.Q8_0) {
                    int blocks = cols / 32;
                    long from = source.row() * blocks * 34L;
                    for (int b = 0; b < blocks; b++) {
                        scales.set(SHORT, ((long) i * blocks + b) * 2, segment.get(SHORT, from + b * 34L));
                        MemorySegment.copy(segment, from + b * 34L + 2, main, (long) i * cols + b * 32L, 32);
                    }
                } else {
                    long rowBytes = type.bytesFor(cols);
                    MemorySegment.copy(segment, source.row() * rowBytes, main, i * rowBytes, rowBytes);
                }
            } else if (type == TensorType.F32) {
                if (values == null) {
                    values = new float[cols];
                }
                tensor.copyTo(source.row() * cols, values, 0, cols);
                MemorySegment.copy(values, 0, main, FLOAT, 4L * i * cols, cols);
            } else {
                throw new IllegalArgumentException("a " + tensor.type() + " row cannot be staged as " + type);
            }
        }
    }

    /** CPU decoding of the device layout (tests): row-major floats, Q8_0 as d · q in f32 as Q8_0Tensor does. */
    static float[] decode(TensorType type, int rows, int cols, MemorySegment layout) {
        float[] out = new float[Math.toIntExact((long) rows * cols)];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case BF16 -> Bf16.toFloat(layout.get(SHORT, 2L * i));
                case F16 -> Float.float16ToFloat(layout.get(SHORT, 2L * i));
                case F32 -> layout.get(FLOAT, 4L * i);
                case Q8_0 -> Float.float16ToFloat(layout.get(SHORT, (long) rows * cols + 2L * (i / 32)))
                        * layout.get(ValueLayout.JAVA_BYTE, i);
                default -> throw new IllegalArgumentException(type.toString());
            };
        }
        return out;
    }

    /** The whole device layout of a matrix stacked from {@code parts} in {@code order}, in host memory (tests). */
    static MemorySegment layout(TensorType type, int rows, int cols, List<FloatTensor> parts, IntUnaryOperator order, Arena arena) {
        MemorySegment all = arena.allocate(bytes(type, rows, cols), 16);
        long mainBytes = type == TensorType.Q8_0 ? (long) rows * cols : bytes(type, rows, cols);
        stage(type, cols, new RowSources(parts, cols, order), 0, rows, all.asSlice(0, mainBytes),
                type == TensorType.Q8_0 ? all.asSlice(mainBytes) : null);
        return all;
    }
}
