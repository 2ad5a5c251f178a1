// Op: greedy choice of the next token on the GPU. token[0] = argmax_i logits[i] (the lowest index
//     on ties, as torch.argmax and Sampler.argmax), then position[0] += 1, so that a replayed decode
//     graph feeds its own next step with no host round trip.
// Shapes: logits (n) f32; token (1) int32, position (1) int32, both in device memory.
// Launch: grid 1, block 1024.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/argmax.cu -o argmax.ptx (scripts/build-kernels.sh).
// CPU reference: Argmax.reference (src/main/java/ai/ensemble/engine/cuda).

__device__ __forceinline__ void better(float& value, int& index, float otherValue, int otherIndex) {
    if (otherValue > value || (otherValue == value && otherIndex < index)) {
        value = otherValue;
        index = otherIndex;
    }
}

extern "C" __global__ void __launch_bounds__(1024) argmax_advance(const float* logits, int n, int* token, int* position) {
    asm volatile("griddepcontrol.wait;" ::: "memory"); // launched dependent on the logits GEMV (see gemv.cu)
    __shared__ float bestValue[32];
    __shared__ int bestIndex[32];
    float value = -INFINITY;
    int index = 0x7fffffff;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        better(value, index, logits[i], i);
    }
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        better(value, index, __shfl_xor_sync(0xffffffffu, value, offset), __shfl_xor_sync(0xffffffffu, index, offset));
    }
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    if (lane == 0) {
        bestValue[warp] = value;
        bestIndex[warp] = index;
    }
    __syncthreads();
    if (warp == 0) {
        int warps = blockDim.x >> 5;
        value = lane < warps ? bestValue[lane] : -INFINITY;
        index = lane < warps ? bestIndex[lane] : 0x7fffffff;
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
            better(value, index, __shfl_xor_sync(0xffffffffu, value, offset), __shfl_xor_sync(0xffffffffu, index, offset));
        }
        if (lane == 0) {
            token[0] = index == 0x7fffffff ? 0 : index;
            position[0] += 1;
        }
    }
}
