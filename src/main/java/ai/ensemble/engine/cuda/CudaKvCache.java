package ai.ensemble.engine.cuda;

import ai.ensemble.engine.cpu.KvCache;
import jcuda.driver.CUgraphExec;

import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;

/**
 * One sequence's keys and values in GPU memory, f32, and the decode step captured as a CUDA graph
 * for this cache (a graph holds the cache's addresses; token and position are read from device
 * memory, so the graph is replayed unchanged for every token). Freed by {@link #close} or with the
 * {@link CudaForward} that made it.
 */
final class CudaKvCache implements KvCache, AutoCloseable {

    final CudaForward owner;
    final DeviceBuffer keys;   // (layer, capacity, kvHeads · headDim) f32
    final DeviceBuffer values; // (layer, capacity, kvHeads · headDim) f32
    private final int capacity;
    private final long layerBytes;
    CUgraphExec decodeGraph;   // captured on first use
    private boolean closed;

    CudaKvCache(CudaForward owner, int layers, int capacity, int kvDim) {
        this.owner = owner;
        this.capacity = capacity;
        this.layerBytes = 4L * capacity * kvDim;
        this.keys = DeviceBuffer.allocate(layers * layerBytes);
        DeviceBuffer allocatedValues;
        try {
            allocatedValues = DeviceBuffer.allocate(layers * layerBytes);
        } catch (RuntimeException e) {
            keys.free();
            throw e;
        }
        this.values = allocatedValues;
    }

    DeviceBuffer keys(int layer) {
        return keys.slice(layer * layerBytes, layerBytes);
    }

    DeviceBuffer values(int layer) {
        return values.slice(layer * layerBytes, layerBytes);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        owner.release(this);
    }

    /** Frees the device memory; called by the owner with its context current. */
    void free() {
        if (!closed) {
            closed = true;
            if (decodeGraph != null) {
                cuGraphExecDestroy(decodeGraph);
            }
            keys.free();
            values.free();
        }
    }
}
