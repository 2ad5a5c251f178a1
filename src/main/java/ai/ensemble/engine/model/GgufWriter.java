package ai.ensemble.engine.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;

/**
 * Writes GGUF v3 files: typed metadata, then tensors encoded with {@link Quantization}. Keys and
 * value types should be those llama.cpp expects (counts are uint32, epsilons and bases float32) so
 * that other readers accept the file. The file appears whole or not at all (written aside, then moved).
 */
public final class GgufWriter {

    private record Value(int type, int elementType, Object value) {
    }

    private record Tensor(String name, TensorType type, long[] shape, byte[] data) {
    }

    private static final int UINT32 = 4;
    private static final int INT32 = 5;
    private static final int FLOAT32 = 6;
    private static final int BOOL = 7;
    private static final int STRING = 8;
    private static final int ARRAY = 9;

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = Gguf.DEFAULT_ALIGNMENT;

    public GgufWriter putString(String key, String value) {
        metadata.put(key, new Value(STRING, 0, value));
        return this;
    }

    public GgufWriter putUInt32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit uint32");
        }
        metadata.put(key, new Value(UINT32, 0, value));
        return this;
    }

    public GgufWriter putInt32(String key, int value) {
        metadata.put(key, new Value(INT32, 0, value));
        return this;
    }

    public GgufWriter putFloat32(String key, float value) {
        metadata.put(key, new Value(FLOAT32, 0, value));
        return this;
    }

    public GgufWriter putBool(String key, boolean value) {
        metadata.put(key, new Value(BOOL, 0, value));
        return this;
    }

    public GgufWriter putStrings(String key, List<String> values) {
        metadata.put(key, new Value(ARRAY, STRING, List.copyOf(values)));
        return this;
    }

    public GgufWriter putFloat32s(String key, float[] values) {
        metadata.put(key, new Value(ARRAY, FLOAT32, values.clone()));
        return this;
    }

    public GgufWriter putInt32s(String key, int[] values) {
        metadata.put(key, new Value(ARRAY, INT32, values.clone()));
        return this;
    }

    /** Data alignment (a power of two); written as {@code general.alignment} when not the default 32. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        this.alignment = alignment;
        if (alignment != Gguf.DEFAULT_ALIGNMENT) {
            putUInt32("general.alignment", alignment);
        } else {
            metadata.remove("general.alignment");
        }
        return this;
    }

    /**
     * Adds a tensor of row-major {@code shape} (outermost first), encoded as {@code type}; the innermost
     * dimension must be a whole number of the type's blocks.
     */
    public GgufWriter addTensor(String name, TensorType type, float[] values, long... shape) {
        long elements = 1;
        for (long dimension : shape) {
            elements *= dimension;
        }
        if (elements != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape holds " + elements + " elements, values " + values.length);
        }
        if (shape[shape.length - 1] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + shape[shape.length - 1]
                    + " are not whole " + type + " blocks of " + type.blockSize());
        }
        tensors.add(new Tensor(name, type, shape.clone(), Quantization.encode(type, values)));
        return this;
    }

    public void write(Path file) throws IOException {
        ByteBuffer header = header();
        Path temporary = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, header);
            long position = header.limit();
            for (Tensor tensor : tensors) {
                position = pad(channel, position);
                writeFully(channel, ByteBuffer.wrap(tensor.data()));
                position += tensor.data().length;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private ByteBuffer header() {
        Output out = new Output();
        out.putInt(Gguf.MAGIC).putInt(3).putLong(tensors.size()).putLong(metadata.size());
        metadata.forEach((key, value) -> {
            out.putString(key).putInt(value.type());
            if (value.type() == ARRAY) {
                writeArray(out, value);
            } else {
                writeScalar(out, value.type(), value.value());
            }
        });
        long offset = 0;
        for (Tensor tensor : tensors) {
            out.putString(tensor.name()).putInt(tensor.shape().length);
            for (int d = tensor.shape().length - 1; d >= 0; d--) {
                out.putLong(tensor.shape()[d]);
            }
            out.putInt(GgmlType.id(tensor.type())).putLong(offset);
            offset = align(offset + tensor.data().length);
        }
        return out.finish();
    }

    private static void writeArray(Output out, Value value) {
        out.putInt(value.elementType());
        switch (value.value()) {
            case List<?> list -> {
                out.putLong(list.size());
                list.forEach(item -> out.putString((String) item));
            }
            case float[] floats -> {
                out.putLong(floats.length);
                for (float item : floats) {
                    out.putFloat(item);
                }
            }
            case int[] ints -> {
                out.putLong(ints.length);
                for (int item : ints) {
                    out.putInt(item);
                }
            }
            default -> throw new IllegalStateException("unexpected array " + value.value());
        }
    }

    private static void writeScalar(Output out, int type, Object value) {
        switch (type) {
            case UINT32 -> out.putInt((int) (long) (Long) value);
            case INT32 -> out.putInt((Integer) value);
            case FLOAT32 -> out.putFloat((Float) value);
            case BOOL -> out.putByte((Boolean) value ? 1 : 0);
            case STRING -> out.putString((String) value);
            default -> throw new IllegalStateException("unexpected type " + type);
        }
    }

    private long align(long position) {
        return (position + alignment - 1) / alignment * alignment;
    }

    private long pad(FileChannel channel, long position) throws IOException {
        long aligned = align(position);
        if (aligned > position) {
            writeFully(channel, ByteBuffer.allocate((int) (aligned - position)));
        }
        return aligned;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** A growing little-endian buffer for the header. */
    private static final class Output {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private Output ensure(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes)).order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
            return this;
        }

        Output putByte(int value) {
            ensure(1).buffer.put((byte) value);
            return this;
        }

        Output putInt(int value) {
            ensure(4).buffer.putInt(value);
            return this;
        }

        Output putLong(long value) {
            ensure(8).buffer.putLong(value);
            return this;
        }

        Output putFloat(float value) {
            ensure(4).buffer.putFloat(value);
            return this;
        }

        Output putString(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            putLong(bytes.length);
            ensure(bytes.length).buffer.put(bytes);
            return this;
        }

        ByteBuffer finish() {
            return buffer.flip();
        }
    }
}
