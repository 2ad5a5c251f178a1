package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;

/**
 * The inner loops of the tensor types: dot products against a float vector and decoding into a
 * float array, one method per layout, each over a whole run of elements (or blocks) so that the
 * choice of implementation costs one call per row, not per element.
 *
 * <p>Two implementations: {@link ScalarKernels}, plain Java, and {@code VectorKernels}, on the
 * Vector API. That API is the incubator module {@code jdk.incubator.vector}, which exists only when
 * the JVM starts with {@code --add-modules jdk.incubator.vector} (a JAR manifest cannot add it), so
 * no class but {@code VectorKernels} and {@link Vectors} names its types, and {@code VectorKernels}
 * is loaded by name: without the module, nothing that links against it is ever loaded. The choice is
 * made once, on first use, and logged; {@link #description()} tells it to the gateway.
 *
 * <p>Byte offsets point into the segment; quantised methods take whole blocks (Q8_0 and Q4_0: 32
 * elements, Q4_K: 256) starting at a block boundary.
 */
public abstract class Kernels {

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String SCALAR_PROPERTY = "ensemble.engine.scalar";
    private static final String VECTOR_KERNELS = "ai.ensemble.engine.tensor.VectorKernels";
    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

    Kernels() {
    }

    /** The kernels this JVM runs, e.g. "vector (AVX-512, 16 lanes)" or "scalar (start the JVM with ...)". */
    public static String description() {
        return Chosen.KERNELS.name();
    }

    /** Whether the tensor kernels run on the Vector API; the CPU backend's own kernels follow this choice. */
    public static boolean vectorised() {
        return Chosen.KERNELS.isVector();
    }

    static Kernels active() {
        return Chosen.KERNELS;
    }

    /** Holds the choice, so that it is made on first use rather than when a subclass loads. */
    private static final class Chosen {
        static final Kernels KERNELS = choose(ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
                Boolean.getBoolean(SCALAR_PROPERTY));

        static {
            LOG.log(System.Logger.Level.INFO, "engine kernels: {0}", KERNELS.name());
        }
    }

    /** Vector kernels where the module is loaded, not switched off and the CPU's preferred shape suits them. */
    static Kernels choose(boolean vectorModuleLoaded, boolean scalarAsked) {
        if (scalarAsked) {
            return new ScalarKernels("scalar (-D" + SCALAR_PROPERTY + "=true)");
        }
        if (!vectorModuleLoaded) {
            return new ScalarKernels("scalar (start the JVM with --add-modules " + VECTOR_MODULE + " for SIMD)");
        }
        String reason;
        try {
            return (Kernels) Class.forName(VECTOR_KERNELS).getDeclaredConstructor().newInstance();
        } catch (InvocationTargetException e) {
            // The constructor refuses vector shapes the kernels do not handle, saying which.
            reason = e.getCause() instanceof UnsupportedOperationException refused ? refused.getMessage()
                    : "vector kernels failed to load: " + e.getCause();
        } catch (ReflectiveOperationException | LinkageError e) {
            reason = "vector kernels failed to load: " + e;
        }
        LOG.log(System.Logger.Level.WARNING, "engine vector kernels unavailable: {0}", reason);
        return new ScalarKernels("scalar (" + reason + ")");
    }

    /** The IEEE half at byteOffset, as a float. */
    static float half(MemorySegment w, long byteOffset) {
        return Float.float16ToFloat(w.get(MappedTensor.SHORT, byteOffset));
    }

    static float bf16(MemorySegment w, long byteOffset) {
        return Float.intBitsToFloat(w.get(MappedTensor.SHORT, byteOffset) << 16);
    }

    abstract String name();

    abstract boolean isVector();

    /** Σ w[wOffset + i] · x[xOffset + i] for i in [0, n). */
    abstract float dotF32(float[] w, int wOffset, float[] x, int xOffset, int n);

    abstract float dotF32(MemorySegment w, long byteOffset, float[] x, int xOffset, int n);

    abstract float dotF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n);

    abstract float dotBf16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n);

    abstract float dotQ8_0(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks);

    abstract float dotQ4_0(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks);

    abstract float dotQ4_K(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks);

    /** Decodes n elements (or blocks) into out[outOffset ...], each exactly as the type's getFloat does. */
    abstract void copyF16(MemorySegment w, long byteOffset, float[] out, int outOffset, int n);

    abstract void copyBf16(MemorySegment w, long byteOffset, float[] out, int outOffset, int n);

    abstract void copyQ8_0(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks);

    abstract void copyQ4_0(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks);

    abstract void copyQ4_K(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks);

    @Override
    public String toString() {
        return name();
    }
}
