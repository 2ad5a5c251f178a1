package ai.ensemble.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUstream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * cuBLAS 13 ({@code libcublas.so.13}) through Java's FFM API: JCuda's own jcublas is linked against
 * cuBLAS 12 and does not load with a CUDA 13 toolkit. Only what prefill needs: a handle on the
 * engine's stream and {@code cublasGemmEx} with BF16 inputs, f32 output and f32 accumulation
 * (CUBLAS_COMPUTE_32F) on JCuda device pointers, whose addresses are read from JCuda's pointer
 * objects. Row-major helpers: {@link #matmulRowMajor}. The handle uses the primary context that
 * {@link CudaContext} made current. Needs {@code --enable-native-access=ALL-UNNAMED} to run quietly.
 */
final class Cublas implements Gemm {

    static final String LIBRARY = "libcublas.so.13";

    private static final int CUBLAS_OP_N = 0;
    private static final int CUBLAS_OP_T = 1;
    private static final int CUDA_R_32F = 0;
    private static final int CUDA_R_16BF = 14;
    private static final int CUBLAS_COMPUTE_32F = 68;
    private static final int CUBLAS_GEMM_DEFAULT = -1;

    private static final Field NATIVE_POINTER;
    private static final Field BYTE_OFFSET;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredField("nativePointer");
            NATIVE_POINTER.setAccessible(true);
            BYTE_OFFSET = Pointer.class.getDeclaredField("byteOffset");
            BYTE_OFFSET.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena;
    private final MethodHandle gemmEx;
    private final MethodHandle destroy;
    private final MemorySegment handle;
    private final MemorySegment one;
    private final MemorySegment zero;

    private Cublas(Arena arena, MethodHandle gemmEx, MethodHandle destroy, MemorySegment handle) {
        this.arena = arena;
        this.gemmEx = gemmEx;
        this.destroy = destroy;
        this.handle = handle;
        this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        this.zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    /** A handle bound to {@code stream}; throws {@link IllegalStateException} with the reason when cuBLAS 13 is absent or fails. */
    static Cublas open(CUstream stream) {
        Arena arena = Arena.ofShared();
        try {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(LIBRARY, arena);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(LIBRARY + " cannot be loaded (put the CUDA 13 libraries, e.g. /usr/local/cuda/lib64, on LD_LIBRARY_PATH)", e);
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle create = linker.downcallHandle(find(lookup, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle setStream = linker.downcallHandle(find(lookup, "cublasSetStream_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle destroy = linker.downcallHandle(find(lookup, "cublasDestroy_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle gemmEx = linker.downcallHandle(find(lookup, "cublasGemmEx"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                    JAVA_INT, JAVA_INT));
            MemorySegment slot = arena.allocate(ADDRESS);
            check("cublasCreate_v2", (int) create.invokeExact(slot));
            MemorySegment handle = slot.get(ADDRESS, 0);
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(address(stream))));
            return new Cublas(arena, gemmEx, destroy, handle);
        } catch (Throwable e) {
            arena.close();
            if (e instanceof IllegalStateException state) {
                throw state;
            }
            throw new IllegalStateException("cuBLAS cannot be used: " + e, e);
        }
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(LIBRARY + " has no symbol " + name));
    }

    /** The device (or handle) address a JCuda pointer object holds, its byte offset included. */
    static long address(NativePointerObject pointer) {
        try {
            long base = NATIVE_POINTER.getLong(pointer);
            return pointer instanceof Pointer p ? base + BYTE_OFFSET.getLong(p) : base;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Row-major C (n, m) f32 {@code (accumulate ? += : =)} X (n, k) · Wᵀ with W (m, k) and X (n, k)
     * BF16 row-major: in cuBLAS's column-major terms C(m, n) = op_T(W(k, m)) · X(k, n).
     */
    @Override
    public void matmulRowMajor(DeviceBuffer w, DeviceBuffer x, DeviceBuffer c, int m, int n, int k, int ldc, boolean accumulate) {
        if (ldc < m) {
            throw new IllegalArgumentException("ldc " + ldc + " < m " + m);
        }
        MemorySegment beta = accumulate ? one : zero; // a local: invokeExact needs the static type MemorySegment
        int status;
        try {
            status = (int) gemmEx.invokeExact(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k,
                    one, MemorySegment.ofAddress(address(w.pointer())), CUDA_R_16BF, k,
                    MemorySegment.ofAddress(address(x.pointer())), CUDA_R_16BF, k,
                    beta, MemorySegment.ofAddress(address(c.pointer())), CUDA_R_32F, ldc,
                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
        } catch (Throwable e) {
            throw new IllegalStateException("cublasGemmEx failed: " + e, e);
        }
        check("cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ")", status);
    }

    private static void check(String call, int status) {
        if (status != 0) {
            throw new IllegalStateException(call + " returned cuBLAS status " + status);
        }
    }

    @Override
    public String description() {
        return "cuBLAS 13 (" + LIBRARY + ")";
    }

    @Override
    public void close() {
        try {
            int ignored = (int) destroy.invokeExact(handle);
        } catch (Throwable e) {
            // the handle is gone with the process anyway
        } finally {
            arena.close();
        }
    }
}
