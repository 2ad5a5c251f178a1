package ai.ensemble.engine.cuda;

import java.lang.foreign.MemorySegment;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

/**
 * Device memory: an allocation, or a view into one ({@link #slice}). Copies are synchronous; the
 * caller synchronizes the engine's stream first when kernels may still be using the buffer.
 */
final class DeviceBuffer {

    /** Host-to-device copies of mapped files go in pieces, since a ByteBuffer holds at most 2 GiB. */
    private static final long UPLOAD_PIECE = 1L << 28;

    private final CUdeviceptr pointer;
    private final long bytes;
    private final boolean owner;

    private DeviceBuffer(CUdeviceptr pointer, long bytes, boolean owner) {
        this.pointer = pointer;
        this.bytes = bytes;
        this.owner = owner;
    }

    static DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device buffer size must be positive, got " + bytes);
        }
        CUdeviceptr pointer = new CUdeviceptr();
        cuMemAlloc(pointer, bytes);
        return new DeviceBuffer(pointer, bytes, true);
    }

    static DeviceBuffer ofFloats(float[] values) {
        DeviceBuffer buffer = allocate(4L * values.length);
        buffer.upload(values);
        return buffer;
    }

    CUdeviceptr pointer() {
        return pointer;
    }

    long bytes() {
        return bytes;
    }

    /** A view of {@code length} bytes from {@code offset}; freeing the parent frees it. */
    DeviceBuffer slice(long offset, long length) {
        if (offset < 0 || length <= 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + length) + ") of a buffer of " + bytes);
        }
        return new DeviceBuffer(pointer.withByteOffset(offset), length, false);
    }

    void upload(float[] values) {
        check(4L * values.length);
        cuMemcpyHtoD(pointer, Pointer.to(values), 4L * values.length);
    }

    void upload(int[] values) {
        check(4L * values.length);
        cuMemcpyHtoD(pointer, Pointer.to(values), 4L * values.length);
    }

    void upload(short[] values) {
        check(2L * values.length);
        cuMemcpyHtoD(pointer, Pointer.to(values), 2L * values.length);
    }

    /** Copies the bytes of {@code segment} (native memory, such as a mapped file) to {@code offset}. */
    void upload(long offset, MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("only native (off-heap or mapped) segments can be uploaded");
        }
        if (offset < 0 || offset + segment.byteSize() > bytes) {
            throw new IndexOutOfBoundsException("upload of " + segment.byteSize() + " bytes at " + offset
                    + " overruns a buffer of " + bytes);
        }
        for (long done = 0; done < segment.byteSize(); done += UPLOAD_PIECE) {
            long n = Math.min(UPLOAD_PIECE, segment.byteSize() - done);
            cuMemcpyHtoD(pointer.withByteOffset(offset + done), Pointer.to(segment.asSlice(done, n).asByteBuffer()), n);
        }
    }

    void copyFrom(DeviceBuffer source, long sourceOffset, long offset, long length) {
        cuMemcpyDtoD(pointer.withByteOffset(offset), source.pointer.withByteOffset(sourceOffset), length);
    }

    void zero() {
        cuMemsetD8(pointer, (byte) 0, bytes);
    }

    void download(float[] values) {
        check(4L * values.length);
        cuMemcpyDtoH(Pointer.to(values), pointer, 4L * values.length);
    }

    void download(int[] values) {
        check(4L * values.length);
        cuMemcpyDtoH(Pointer.to(values), pointer, 4L * values.length);
    }

    float[] downloadFloats() {
        float[] values = new float[Math.toIntExact(bytes / 4)];
        download(values);
        return values;
    }

    void free() {
        if (owner) {
            cuMemFree(pointer);
        }
    }

    private void check(long length) {
        if (length > bytes) {
            throw new IndexOutOfBoundsException("copy of " + length + " bytes overruns a buffer of " + bytes);
        }
    }
}
