// Op: greedy choice of the next token on the GPU, for each of R rows (blockIdx.y = r):
//     token[r] = argmax_i logits[r · n + i] (the lowest index on ties, as torch.argmax and
//     Sampler.argmax), then position[r] += 1 when position is not null, so that a replayed batch-1
//     decode graph feeds its own next step with no host round trip (BatchDecoder passes null).
// Shapes: logits (R, n) f32; token (R) int32, position (R) int32 or null, in device memory;
//         partials (R, gridDim.x) u64 and counter (R) u32, scratch owned by Argmax (counters zero between
//         launches: each row's last block resets its own, so a replayed graph needs no reset node).
// Launch: grid (ceil(n / (THREADS · PER_THREAD)), R), block THREADS = 256.
// Why this shape: one block over 128 K logits walks them in ~125 dependent rounds of loads (tens of
//   µs at batch 1); here every thread loads PER_THREAD values at once, each block reduces its slice to
//   one key, and the last block to finish (a counter, after a fence) reduces the blocks' keys. A key
//   orders (value, index) in one u64: the float's bits made monotone in the high half, the complement
//   of the index in the low half, so the largest key is the largest value with the lowest index.
// Launched dependent on the logits GEMV in the decode graph: it waits for it first (see gemv.cu).
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/argmax.cu -o argmax.ptx (scripts/build-kernels.sh).
// CPU reference: Argmax.reference (src/main/java/ai/ensemble/engine/cuda).

#define THREADS 256
#define PER_THREAD 4

__device__ __forceinline__ unsigned long long key_of(float value, int index) {
    unsigned int bits = __float_as_uint(value);
    unsigned int ordered = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
    return ((unsigned long long) ordered << 32) | (0xffffffffu - (unsigned int) index);
}

__device__ __forceinline__ unsigned long long block_max(unsigned long long key, unsigned long long* shared) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        key = max(key, __shfl_xor_sync(0xffffffffu, key, offset));
    }
    const int warp = threadIdx.x >> 5;
    if ((threadIdx.x & 31) == 0) {
        shared[warp] = key;
    }
    __syncthreads();
    if (warp == 0) {
        key = (threadIdx.x < THREADS / 32) ? shared[threadIdx.x] : 0ull;
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
            key = max(key, __shfl_xor_sync(0xffffffffu, key, offset));
        }
    }
    return key; // valid in thread 0
}

extern "C" __global__ void __launch_bounds__(THREADS) argmax_advance(
        const float* logits, int n, int* token, int* position, unsigned long long* partials, unsigned int* counter) {
    asm volatile("griddepcontrol.wait;" ::: "memory");
    __shared__ unsigned long long shared[THREADS / 32];
    __shared__ bool last;
    const long long r = blockIdx.y;
    logits += r * n;
    partials += r * gridDim.x;
    counter += r;
    token += r;
    const int first = blockIdx.x * THREADS * PER_THREAD + threadIdx.x;
    float values[PER_THREAD];
#pragma unroll
    for (int j = 0; j < PER_THREAD; j++) { // all loads in flight before the first compare
        int i = first + j * THREADS;
        values[j] = i < n ? logits[i] : 0.f;
    }
    unsigned long long key = 0ull; // below every real key
#pragma unroll
    for (int j = 0; j < PER_THREAD; j++) {
        int i = first + j * THREADS;
        if (i < n) {
            key = max(key, key_of(values[j], i));
        }
    }
    key = block_max(key, shared);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = key;
        __threadfence();
        last = atomicAdd(counter, 1u) == gridDim.x - 1;
    }
    __syncthreads();
    if (!last) {
        return;
    }
    __threadfence();
    key = 0ull;
    for (int b = threadIdx.x; b < gridDim.x; b += THREADS) {
        key = max(key, __ldcg(partials + b));
    }
    key = block_max(key, shared);
    if (threadIdx.x == 0) {
        token[0] = (int) (0xffffffffu - (unsigned int) (key & 0xffffffffull));
        if (position != nullptr) {
            position[r] += 1;
        }
        counter[0] = 0u;
    }
}
