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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.ensemble.engine.json.Json;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range ({@code data_offsets}, relative to the end of the header),
 * then the raw data. The whole file is mapped once into the caller's arena; tensors are slices.
 */
public final class Safetensors implements TensorSource {

    /** A tensor's header entry; {@code begin} and {@code end} are absolute file offsets. */
    public record Entry(String name, TensorType type, long[] shape, long begin, long end) {

        long elements() {
            long count = 1;
            for (long dimension : shape) {
                count = Math.multiplyExact(count, dimension);
            }
            return count;
        }
    }

    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final MemorySegment mapped;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path file, MemorySegment mapped, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.mapped = mapped;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Maps {@code file} into {@code arena} (which must outlive every tensor handed out). */
    public static Safetensors open(Path file, Arena arena) throws IOException {
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        if (mapped.byteSize() < 8) {
            throw new IOException(file + ": too short for a safetensors header");
        }
        long headerLength = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > mapped.byteSize()) {
            throw new IOException(file + ": header length " + headerLength + " does not fit a file of " + mapped.byteSize() + " bytes");
        }
        byte[] headerBytes = mapped.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        Map<String, Object> header;
        try {
            header = Json.parseObject(new String(headerBytes, StandardCharsets.UTF_8).stripTrailing());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
        }
        long dataStart = 8 + headerLength;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, Object> item : header.entrySet()) {
            if (item.getKey().equals("__metadata__")) {
                metadata = stringMap(item.getValue());
                continue;
            }
            entries.put(item.getKey(), entry(file, item.getKey(), item.getValue(), dataStart, mapped.byteSize()));
        }
        return new Safetensors(file, mapped, Collections.unmodifiableMap(entries), metadata);
    }

    private static Entry entry(Path file, String name, Object value, long dataStart, long fileSize) throws IOException {
        if (!(value instanceof Map<?, ?> fields)) {
            throw new IOException(file + ": header entry '" + name + "' is not an object");
        }
        String dtype = String.valueOf(fields.get("dtype"));
        TensorType type = switch (dtype) {
            case "F32" -> TensorType.F32;
            case "F16" -> TensorType.F16;
            case "BF16" -> TensorType.BF16;
            default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype + "; the engine reads F32, F16 and BF16");
        };
        if (!(fields.get("shape") instanceof List<?> shapeList) || !(fields.get("data_offsets") instanceof List<?> offsets)
                || offsets.size() != 2) {
            throw new IOException(file + ": tensor '" + name + "' needs a shape list and two data_offsets");
        }
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = ((Number) shapeList.get(i)).longValue();
        }
        Entry entry = new Entry(name, type, shape, dataStart + ((Number) offsets.get(0)).longValue(),
                dataStart + ((Number) offsets.get(1)).longValue());
        long expected = type.bytesFor(entry.elements());
        if (entry.end() - entry.begin() != expected || entry.begin() < dataStart || entry.end() > fileSize) {
            throw new IOException(file + ": tensor '" + name + "' data_offsets " + offsets + " do not hold " + entry.elements()
                    + " " + type + " elements (" + expected + " bytes) inside the file");
        }
        return entry;
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> result = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> result.put(String.valueOf(key), String.valueOf(item)));
        }
        return Collections.unmodifiableMap(result);
    }

    public Path file() {
        return file;
    }

    /** The header's {@code __metadata__} (string to string; often {@code {"format": "pt"}}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    @Override
    public FloatTensor tensor(String name) {
        Entry entry = entry(name);
        return MappedTensor.of(entry.type(), mapped.asSlice(entry.begin(), entry.end() - entry.begin()), entry.elements());
    }

    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(file + " has no tensor '" + name + "'");
        }
        return entry;
    }
}
