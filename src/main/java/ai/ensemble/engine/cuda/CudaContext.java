package ai.ensemble.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
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

/**
 * One GPU through JCuda's driver API: its primary context (shared with any other user of the
 * device in this process), one stream on which every kernel of the engine runs, and the kernels'
 * modules, loaded from the PTX resources that scripts/build-kernels.sh writes. JCuda's exceptions
 * are switched on, so every driver call and every launch is checked: a failure throws
 * {@link CudaException} naming the CUDA error, and errors of asynchronous work surface at the next
 * {@link #synchronize()}. Methods must be called from one thread at a time.
 */
final class CudaContext implements AutoCloseable {

    /** The kernels are PTX for sm_90 made by nvcc 13: Hopper or newer, and a CUDA 13 driver (580+). */
    static final int MINIMUM_DRIVER = 13000;
    static final int MINIMUM_COMPUTE_CAPABILITY = 90;

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final Map<String, CUmodule> modules = new HashMap<>();
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
        CUmodule module = modules.computeIfAbsent(op, CudaContext::load);
        CUfunction function = new CUfunction();
        cuModuleGetFunction(function, module, name);
        return function;
    }

    private static CUmodule load(String op) {
        String resource = "/ai/ensemble/engine/cuda/" + op + ".ptx";
        byte[] ptx;
        try (InputStream in = CudaContext.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + resource + " is missing (run scripts/build-kernels.sh)");
            }
            ptx = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
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
     * null for a null pointer, Integer and Float for scalars.
     */
    void launch(CUfunction function, int grid, int block, Object... arguments) {
        launch2d(function, grid, 1, block, arguments);
    }

    /** As {@link #launch} on a grid of (gridX, gridY) blocks. */
    void launch2d(CUfunction function, int gridX, int gridY, int block, Object... arguments) {
        Pointer[] parameters = new Pointer[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            parameters[i] = switch (arguments[i]) {
                case null -> Pointer.to(new long[] {0});
                case DeviceBuffer buffer -> Pointer.to(buffer.pointer());
                case CUdeviceptr pointer -> Pointer.to(pointer);
                case Integer value -> Pointer.to(new int[] {value});
                case Float value -> Pointer.to(new float[] {value});
                default -> throw new IllegalArgumentException("kernel argument " + i + " of type "
                        + arguments[i].getClass().getSimpleName() + " is not a buffer, int or float");
            };
        }
        cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1, 0, stream, Pointer.to(parameters), null);
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
