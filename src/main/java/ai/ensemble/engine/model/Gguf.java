package ai.ensemble.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * A GGUF file (version 3, or 2, which has the same layout): magic {@code GGUF}, version, tensor
 * and metadata counts, metadata key/values, tensor infos, then tensor data from the next multiple
 * of {@code general.alignment} (default 32). Little-endian only. The file is mapped once; tensors
 * are slices of it.
 *
 * <p>Metadata values become Java values: uint8, int8, uint16, int16 and int32 {@code Integer};
 * uint32, int64 and uint64 {@code Long}; float32 {@code Float}; float64 {@code Double}; bool
 * {@code Boolean}; string {@code String}; arrays an unmodifiable {@code List} of those.
 */
public final class Gguf implements TensorSource {

    /**
     * @param dimensions GGUF order: {@code dimensions[0]} varies fastest (a (rows, cols) matrix is {@code [cols, rows]})
     * @param offset     relative to the start of the tensor data
     */
    public record TensorInfo(String name, int ggmlType, long[] dimensions, long offset) {

        public long elements() {
            long count = 1;
            for (long dimension : dimensions) {
                count = Math.multiplyExact(count, dimension);
            }
            return count;
        }

        /** Row-major shape, outermost first: GGUF's dimensions reversed. */
        public long[] shape() {
            long[] shape = new long[dimensions.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dimensions[dimensions.length - 1 - i];
            }
            return shape;
        }

        /** The engine's type, or null when the engine does not read this GGML type. */
        public TensorType type() {
            return GgmlType.toTensorType(ggmlType);
        }
    }

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final int DEFAULT_ALIGNMENT = 32;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment mapped;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private long position;

    private Gguf(Path file, MemorySegment mapped) throws IOException {
        this.file = file;
        this.mapped = mapped;
        if (mapped.byteSize() < 24 || mapped.get(INT, 0) != MAGIC) {
            throw new IOException(file + " is not a GGUF file (no GGUF magic)");
        }
        position = 4;
        int version = mapped.get(INT, position);
        position += 4;
        if (version != 2 && version != 3) {
            throw new IOException(file + ": GGUF version " + version + " is not supported (2 or 3; big-endian files are not read)");
        }
        this.version = version;
        long tensorCount = readLong();
        long metadataCount = readLong();
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < metadataCount; i++) {
            String key = readString();
            metadata.put(key, readValue(readInt(), key));
        }
        this.metadata = Collections.unmodifiableMap(metadata);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = readString();
            int dimensionCount = readInt();
            if (dimensionCount < 1 || dimensionCount > 4) {
                throw new IOException(file + ": tensor '" + name + "' has " + dimensionCount + " dimensions (1 to 4 allowed)");
            }
            long[] dimensions = new long[dimensionCount];
            for (int d = 0; d < dimensionCount; d++) {
                dimensions[d] = readLong();
            }
            tensors.put(name, new TensorInfo(name, readInt(), dimensions, readLong()));
        }
        this.tensors = Collections.unmodifiableMap(tensors);
        long alignment = metadata.get("general.alignment") instanceof Number number ? number.longValue() : DEFAULT_ALIGNMENT;
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IOException(file + ": general.alignment " + alignment + " is not a power of two");
        }
        this.dataStart = (position + alignment - 1) / alignment * alignment;
        for (TensorInfo info : tensors.values()) {
            TensorType type = info.type();
            if (type != null && dataStart + info.offset() + type.bytesFor(info.elements()) > mapped.byteSize()) {
                throw new IOException(file + ": tensor '" + info.name() + "' extends past the end of the file (truncated?)");
            }
        }
    }

    /** Maps {@code file} into {@code arena}, which must outlive every tensor handed out. */
    public static Gguf open(Path file, Arena arena) throws IOException {
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        try {
            return new Gguf(file, mapped);
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(file + ": the GGUF header runs past the end of the file", e);
        }
    }

    public int version() {
        return version;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** Absolute file offset where tensor data begins. */
    public long dataStart() {
        return dataStart;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String name) {
        return info(name).shape();
    }

    @Override
    public FloatTensor tensor(String name) {
        TensorInfo info = info(name);
        TensorType type = info.type();
        if (type == null) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' is GGML " + GgmlType.name(info.ggmlType())
                    + ", which the engine does not read (F32, F16, BF16, Q8_0, Q4_0, Q4_K)");
        }
        long bytes = type.bytesFor(info.elements());
        return MappedTensor.of(type, mapped.asSlice(dataStart + info.offset(), bytes), info.elements());
    }

    private TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(file + " has no tensor '" + name + "'");
        }
        return info;
    }

    private Object readValue(int type, String key) throws IOException {
        return switch (type) {
            case 0 -> mapped.get(ValueLayout.JAVA_BYTE, position++) & 0xff;
            case 1 -> (int) mapped.get(ValueLayout.JAVA_BYTE, position++);
            case 2 -> readShort() & 0xffff;
            case 3 -> (int) readShort();
            case 4 -> readInt() & 0xffffffffL;
            case 5 -> readInt();
            case 6 -> {
                float value = mapped.get(FLOAT, position);
                position += 4;
                yield value;
            }
            case 7 -> mapped.get(ValueLayout.JAVA_BYTE, position++) != 0;
            case 8 -> readString();
            case 9 -> readArray(key);
            case 10, 11 -> readLong();
            case 12 -> {
                double value = mapped.get(DOUBLE, position);
                position += 8;
                yield value;
            }
            default -> throw new IOException(file + ": metadata '" + key + "' has unknown value type " + type);
        };
    }

    private List<Object> readArray(String key) throws IOException {
        int elementType = readInt();
        long count = readLong();
        if (count < 0 || count > mapped.byteSize() - position) {
            throw new IOException(file + ": metadata array '" + key + "' claims " + count + " elements");
        }
        List<Object> values = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            values.add(readValue(elementType, key));
        }
        return Collections.unmodifiableList(values);
    }

    private String readString() throws IOException {
        long length = readLong();
        if (length < 0 || length > mapped.byteSize() - position) {
            throw new IOException(file + ": string length " + length + " at offset " + (position - 8) + " runs past the end");
        }
        byte[] bytes = mapped.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private short readShort() {
        short value = mapped.get(SHORT, position);
        position += 2;
        return value;
    }

    private int readInt() {
        int value = mapped.get(INT, position);
        position += 4;
        return value;
    }

    private long readLong() {
        long value = mapped.get(LONG, position);
        position += 8;
        return value;
    }
}
