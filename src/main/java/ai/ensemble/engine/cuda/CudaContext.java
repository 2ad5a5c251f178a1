package ai.ensemble.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.CudaException;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One GPU through JCuda's driver API: its primary context (shared with any other user of the
 * device in this process), one stream on which every kernel of the engine runs, and the kernels'
 * modules, loaded from the PTX resources that scripts/build-kernels.sh writes. JCuda's exceptions
 * are switched on, so every driver call and every launch is checked: a failure throws
 * {@link CudaException} naming the CUDA error, and errors of asynchronous work surface at the next
 * {@link #synchronize()}. Methods must be called from one thread at a time.
 *
 * <p>Between {@link #beginDependentLaunches()} and {@link #endDependentLaunches()} (the capture of a
 * decode step), a kernel whose PTX waits on its predecessor ({@code griddepcontrol.wait}) is launched
 * with programmatic dependent launch through {@code cuLaunchKernelEx} (FFM: JCuda 12.6 lacks it), so it
 * may start while the kernel before it drains; kernels without that wait are launched plainly.
 * {@code -Densemble.cuda.pdl=off} launches everything plainly.
 */
final class CudaContext implements AutoCloseable {

    /** The kernels are PTX for sm_90 made by nvcc 13: Hopper or newer, and a CUDA 13 driver (580+). */
    static final int MINIMUM_DRIVER = 13000;
    static final int MINIMUM_COMPUTE_CAPABILITY = 90;

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, String> moduleSources = new HashMap<>();
    private final Set<CUfunction> waitingKernels = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Whether kernels may be launched dependent on their predecessor at all (benchmarks switch it). */
    static volatile boolean programmaticLaunch = !"off".equalsIgnoreCase(System.getProperty("ensemble.cuda.pdl", "on"));
    private boolean dependentLaunches;
    private boolean firstDependentLaunch;
    private final String deviceName;
    private final int driverVersion;

    private CudaContext(CUdevice device, CUcontext context, CUstream stream, String deviceName, int driverVersion) {
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.deviceName = deviceName;
        this.driverVersion = driverVersion;
    }

    /** Opens GPU {@code ordinal}; throws {@link IllegalStateException} with the reason when it cannot be used. */
    static CudaContext open(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] value = new int[1];
        cuDriverGetVersion(value);
        int driver = value[0];
        if (driver < MINIMUM_DRIVER) {
            throw new IllegalStateException("the CUDA driver supports CUDA " + driver / 1000 + "." + driver % 1000 / 10
                    + "; the engine's PTX (nvcc 13) needs a CUDA 13 driver (580 or newer)");
        }
        cuDeviceGetCount(value);
        if (ordinal >= value[0]) {
            throw new IllegalStateException("no CUDA device " + ordinal + " (" + value[0] + " found)");
        }
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        String deviceName = new String(name, 0, indexOfZero(name)).trim();
        if (major * 10 + minor < MINIMUM_COMPUTE_CAPABILITY) {
            throw new IllegalStateException(deviceName + " has compute capability " + major + "." + minor
                    + "; the engine's kernels are built for sm_90 (Hopper) or newer");
        }
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, 0);
        return new CudaContext(device, context, stream, deviceName, driver);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    private static int indexOfZero(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return bytes.length;
    }

    String deviceName() {
        return deviceName;
    }

    int driverVersion() {
        return driverVersion;
    }

    int multiprocessors() {
        return attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    }

    CUstream stream() {
        return stream;
    }

    /** Binds the context to the calling thread (the driver API keeps a current context per thread). */
    void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    void synchronize() {
        cuStreamSynchronize(stream);
    }

    /** Kernel {@code name} of src/main/cuda/{@code op}.cu. */
    CUfunction function(String op, String name) {
        CUmodule module = modules.computeIfAbsent(op, this::load);
        CUfunction function = new CUfunction();
        cuModuleGetFunction(function, module, name);
        if (waitsOnPredecessor(moduleSources.get(op), name)) {
            waitingKernels.add(function);
        }
        return function;
    }

    /** Whether entry {@code name}'s PTX body holds a {@code griddepcontrol.wait} (see the class comment). */
    static boolean waitsOnPredecessor(String ptx, String name) {
        int start = ptx.indexOf(".entry " + name + "(");
        if (start < 0) {
            return false;
        }
        int end = ptx.indexOf(".entry ", start + 1);
        return ptx.substring(start, end < 0 ? ptx.length() : end).contains("griddepcontrol.wait");
    }

    private CUmodule load(String op) {
        String resource = "/ai/ensemble/engine/cuda/" + op + ".ptx";
        byte[] ptx;
        String folder = System.getProperty("ensemble.cuda.ptx"); // experiments: PTX built with other -D flags
        if (folder != null) {
            try {
                ptx = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(folder, op + ".ptx"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + op + ".ptx from ensemble.cuda.ptx=" + folder, e);
            }
            moduleSources.put(op, new String(ptx, StandardCharsets.US_ASCII));
            return loadPtx(op, ptx);
        }
        try (InputStream in = CudaContext.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + resource + " is missing (run scripts/build-kernels.sh)");
            }
            ptx = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        moduleSources.put(op, new String(ptx, StandardCharsets.US_ASCII));
        return loadPtx(op, ptx);
    }

    private static CUmodule loadPtx(String op, byte[] ptx) {
        byte[] terminated = Arrays.copyOf(ptx, ptx.length + 1); // the driver reads a C string
        CUmodule module = new CUmodule();
        try {
            cuModuleLoadData(module, terminated);
        } catch (CudaException e) {
            throw new IllegalStateException("the driver rejected " + op + ".ptx (" + e.getMessage()
                    + "); it needs a CUDA 13 driver (580+) and an sm_90 or newer GPU", e);
        }
        return module;
    }

    /**
     * Launches {@code function} on the engine's stream (or records it, while the stream is being
     * captured into a graph). Arguments: {@link DeviceBuffer} or {@link CUdeviceptr} for pointers,
     * null for a null pointer, Integer, Long (long long) and Float for scalars.
     */
    void launch(CUfunction function, int grid, int block, Object... arguments) {
        launch2d(function, grid, 1, block, arguments);
    }

    /** As {@link #launch} on a grid of (gridX, gridY) blocks. */
    void launch2d(CUfunction function, int gridX, int gridY, int block, Object... arguments) {
        if (dependentLaunches) {
            boolean first = firstDependentLaunch;
            firstDependentLaunch = false;
            if (!first && programmaticLaunch && waitingKernels.contains(function)) {
                launchDependent(function, gridX, gridY, block, arguments);
                return;
            }
        }
        Pointer[] parameters = new Pointer[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            parameters[i] = switch (arguments[i]) {
                case null -> Pointer.to(new long[] {0});
                case DeviceBuffer buffer -> Pointer.to(buffer.pointer());
                case CUdeviceptr pointer -> Pointer.to(pointer);
                case Integer value -> Pointer.to(new int[] {value});
                case Long value -> Pointer.to(new long[] {value});
                case Float value -> Pointer.to(new float[] {value});
                default -> throw new IllegalArgumentException("kernel argument " + i + " of type "
                        + arguments[i].getClass().getSimpleName() + " is not a buffer, int or float");
            };
        }
        cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1, 0, stream, Pointer.to(parameters), null);
    }

    /** From now on, kernels that wait on their predecessor are launched dependent on it (the first launch excepted). */
    void beginDependentLaunches() {
        dependentLaunches = true;
        firstDependentLaunch = true;
    }

    void endDependentLaunches() {
        dependentLaunches = false;
    }

    /** cuLaunchKernelEx from libcuda.so.1, looked up on first use. */
    private static final class LaunchEx {
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()).find("cuLaunchKernelEx")
                        .orElseThrow(() -> new IllegalStateException("libcuda.so.1 has no cuLaunchKernelEx (CUDA 12 or newer needed)")),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final int PROGRAMMATIC_STREAM_SERIALIZATION = 6; // CUlaunchAttributeID
        static final long ATTRIBUTE_BYTES = 72;                   // CUlaunchAttribute: id, pad to 8, 64-byte value union
        static final long CONFIG_BYTES = 56;                      // CUlaunchConfig: 7 uints, pad, stream, attrs, numAttrs, pad
    }

    private void launchDependent(CUfunction function, int gridX, int gridY, int block, Object... arguments) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocate(8L * Math.max(1, arguments.length), 8);
            MemorySegment parameters = arena.allocate(ADDRESS, Math.max(1, arguments.length));
            for (int i = 0; i < arguments.length; i++) {
                MemorySegment slot = values.asSlice(8L * i, 8);
                switch (arguments[i]) {
                    case null -> slot.set(JAVA_LONG, 0, 0L);
                    case DeviceBuffer buffer -> slot.set(JAVA_LONG, 0, Cublas.address(buffer.pointer()));
                    case CUdeviceptr pointer -> slot.set(JAVA_LONG, 0, Cublas.address(pointer));
                    case Integer value -> slot.set(JAVA_INT, 0, value);
                    case Long value -> slot.set(JAVA_LONG, 0, value);
                    case Float value -> slot.set(JAVA_FLOAT, 0, value);
                    default -> throw new IllegalArgumentException("kernel argument " + i + " of type "
                            + arguments[i].getClass().getSimpleName() + " is not a buffer, int or float");
                }
                parameters.setAtIndex(ADDRESS, i, slot);
            }
            MemorySegment attribute = arena.allocate(LaunchEx.ATTRIBUTE_BYTES, 8);
            attribute.set(JAVA_INT, 0, LaunchEx.PROGRAMMATIC_STREAM_SERIALIZATION);
            attribute.set(JAVA_INT, 8, 1);
            MemorySegment config = arena.allocate(LaunchEx.CONFIG_BYTES, 8);
            int[] dims = {gridX, gridY, 1, block, 1, 1, 0};
            for (int i = 0; i < dims.length; i++) {
                config.set(JAVA_INT, 4L * i, dims[i]);
            }
            config.set(ADDRESS, 32, MemorySegment.ofAddress(Cublas.address(stream)));
            config.set(ADDRESS, 40, attribute);
            config.set(JAVA_INT, 48, 1);
            int result;
            try {
                result = (int) LaunchEx.HANDLE.invokeExact(config, MemorySegment.ofAddress(Cublas.address(function)),
                        parameters, MemorySegment.NULL);
            } catch (Throwable e) {
                throw new IllegalStateException("cuLaunchKernelEx failed: " + e, e);
            }
            if (result != 0) {
                throw new CudaException(CUresult.stringFor(result) + " (cuLaunchKernelEx with programmatic dependent launch)");
            }
        }
    }

    @Override
    public void close() {
        makeCurrent();
        synchronize();
        for (CUmodule module : modules.values()) {
            cuModuleUnload(module);
        }
        modules.clear();
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
