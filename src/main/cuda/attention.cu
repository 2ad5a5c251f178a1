// Op: attention for one decode token, grouped-query, over the KV cache with an online softmax.
//   For query head h (kv head h / (heads / kvHeads)) and positions p in [0, position]:
//     out[h] = Σ_p softmax_p(q[h] · k[p] · scale) · v[p]
// Shapes: q (heads · headDim) f32 (the start of the qkv buffer, already rotated);
//         keyCache, valueCache (capacity, kvHeads · headDim) f32, this layer's slice;
//         position (1) int32 in device memory; out (heads · headDim) f32; headDim ≤ 256.
// Launch: grid heads, block 1024 (32 warps). attention_decode_d64 / _d128: the same for headDim ≤ 64 / ≤ 128.
// Why this shape: one block per query head; warp w takes positions [8w, 8w + 8), then 32 warps on, and
//   scores its 8 positions together (independent loads in flight); a lane holds
//   headDim / 32 elements of q and of its running output, a warp sum gives each score, and each warp
//   keeps its own running max and denominator; the 32 partial results are merged at the end.
//   (Long contexts would want positions split across blocks too, flash-decoding style.)
// attention_prefill: the same for T prompt tokens at once, token t (blockIdx.y) at position start + t
//   attending to cache rows [0, start + t] (causal; the cache rows of the whole prompt are written
//   first by rope_kv_prefill); q (T, heads·headDim) f32; the output is written as the hi/lo bf16 pair
//   the wo GEMM reads (see prefill.cu; lo may be null). Launch: grid (heads, T), block 128 (4 warps).
// attention_paged: the same over a paged KV pool for a batch of rows (see the kernel).
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/attention.cu -o attention.ptx (scripts/build-kernels.sh).
// CPU reference: AttentionDecode.reference (src/main/java/ai/ensemble/engine/cuda).

#ifndef PDL_TRIGGER_EARLY
#define PDL_TRIGGER_EARLY 0 // see gemv.cu
#endif
#ifndef ATTENTION_TRIGGER_EARLY
#define ATTENTION_TRIGGER_EARLY 1 // decode attention (few blocks) lets the next kernel (wo) in at once:
                                  // 1B shapes on an H200 1,144 -> 1,151 tok/s; wo prefetching its rows
                                  // into L2 meanwhile measured slower (1,098)
#endif
#define PER_LANE 8  // headDim / 32 at most
#define POSITIONS 8 // positions a warp scores at once

__device__ __forceinline__ unsigned short bf16_rn(float v) {
    unsigned int bits = __float_as_uint(v);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (unsigned short) (bits >> 16);
}

// Cache row of position p: p itself, or with a block table (paged pool, see paged.cu) row
// table[p / blockSize] · blockSize + p % blockSize.
__device__ __forceinline__ long long cache_row(const int* table, int blockSize, int p) {
    return table == nullptr ? p : (long long) table[p / blockSize] * blockSize + (p % blockSize);
}

template <int WARPS, int PL = PER_LANE>
__device__ __forceinline__ void attend(
        const float* q, const float* keyCache, const float* valueCache, int positions, float* out,
        unsigned short* hi, unsigned short* lo, int heads, int kvHeads, int headDim, float scale,
        const int* table = nullptr, int blockSize = 0) {
    __shared__ float partialMax[WARPS];
    __shared__ float partialSum[WARPS];
    __shared__ float partialOut[WARPS][PER_LANE * 32];

    const int h = blockIdx.x;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int kvDim = kvHeads * headDim;
    const int kvOffset = (h / (heads / kvHeads)) * headDim;

    float query[PL];
    float acc[PL];
#pragma unroll
    for (int j = 0; j < PL; j++) {
        int d = j * 32 + lane;
        query[j] = d < headDim ? q[h * headDim + d] * scale : 0.f;
        acc[j] = 0.f;
    }
    float runningMax = -INFINITY;
    float runningSum = 0.f;
    // POSITIONS positions per warp per round: their key loads and score sums are independent, so
    // they overlap instead of paying one memory round trip and one shuffle chain each.
    for (int base = warp * POSITIONS; base < positions; base += WARPS * POSITIONS) {
        float score[POSITIONS];
        // with few elements per lane, the values are loaded together with the keys (they do not depend
        // on the scores), so a round costs one memory round trip instead of two
        constexpr bool EARLY_VALUES = PL <= 4;
        float early[EARLY_VALUES ? POSITIONS : 1][EARLY_VALUES ? PL : 1];
#pragma unroll
        for (int i = 0; i < POSITIONS; i++) {
            const long long row = cache_row(table, blockSize, min(base + i, positions - 1)) * kvDim + kvOffset;
            const float* key = keyCache + row;
            score[i] = 0.f;
#pragma unroll
            for (int j = 0; j < PL; j++) {
                int d = j * 32 + lane;
                if (d < headDim) {
                    score[i] = fmaf(query[j], key[d], score[i]);
                    if constexpr (EARLY_VALUES) {
                        early[i][j] = valueCache[row + d];
                    }
                }
            }
        }
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
#pragma unroll
            for (int i = 0; i < POSITIONS; i++) {
                score[i] += __shfl_xor_sync(0xffffffffu, score[i], offset);
            }
        }
        float newMax = runningMax;
#pragma unroll
        for (int i = 0; i < POSITIONS; i++) {
            if (base + i < positions) {
                newMax = fmaxf(newMax, score[i]);
            }
        }
        float correction = expf(runningMax - newMax);
        runningSum *= correction;
#pragma unroll
        for (int j = 0; j < PL; j++) {
            acc[j] *= correction;
        }
#pragma unroll
        for (int i = 0; i < POSITIONS; i++) {
            if (base + i < positions) {
                const float* value = valueCache + cache_row(table, blockSize, base + i) * kvDim + kvOffset;
                float weight = expf(score[i] - newMax);
                runningSum += weight;
#pragma unroll
                for (int j = 0; j < PL; j++) {
                    int d = j * 32 + lane;
                    if (d < headDim) {
                        float v;
                        if constexpr (EARLY_VALUES) {
                            v = early[i][j];
                        } else {
                            v = value[d];
                        }
                        acc[j] = fmaf(weight, v, acc[j]);
                    }
                }
            }
        }
        runningMax = newMax;
    }
    if (lane == 0) {
        partialMax[warp] = runningMax;
        partialSum[warp] = runningSum;
    }
#pragma unroll
    for (int j = 0; j < PL; j++) {
        partialOut[warp][j * 32 + lane] = acc[j];
    }
    __syncthreads();
    // warp 0 turns the warps' maxima into rescaling factors once, instead of every output element
    if (warp == 0) {
        float own = lane < WARPS ? partialMax[lane] : -INFINITY;
        float maximum = own;
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
            maximum = fmaxf(maximum, __shfl_xor_sync(0xffffffffu, maximum, offset));
        }
        if (lane < WARPS) {
            partialMax[lane] = partialSum[lane] > 0.f ? expf(own - maximum) : 0.f; // idle warps hold -inf
        }
    }
    __syncthreads();
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float sum = 0.f;
        float weighted = 0.f;
#pragma unroll 8
        for (int w = 0; w < WARPS; w++) {
            float factor = partialMax[w];
            sum += partialSum[w] * factor;
            weighted += partialOut[w][d] * factor;
        }
        if (out != nullptr) {
            out[h * headDim + d] = weighted / sum;
        } else {
            float y = weighted / sum;
            unsigned short high = bf16_rn(y);
            hi[h * headDim + d] = high;
            if (lo != nullptr) {
                lo[h * headDim + d] = bf16_rn(y - __uint_as_float((unsigned int) high << 16));
            }
        }
    }
}

template <int PL>
__device__ __forceinline__ void decode(const float* q, const float* keyCache, const float* valueCache, const int* position,
                                       float* out, int heads, int kvHeads, int headDim, float scale) {
#if PDL_TRIGGER_EARLY || ATTENTION_TRIGGER_EARLY
    asm volatile("griddepcontrol.launch_dependents;"); // the wo GEMV may come in and prefetch its weights
#endif
    asm volatile("griddepcontrol.wait;" ::: "memory"); // q and the cache row come from the kernel before (see gemv.cu)
    attend<32, PL>(q, keyCache, valueCache, position[0] + 1, out, nullptr, nullptr, heads, kvHeads, headDim, scale);
}

extern "C" __global__ void __launch_bounds__(32 * 32) attention_decode(
        const float* q, const float* keyCache, const float* valueCache, const int* position, float* out,
        int heads, int kvHeads, int headDim, float scale) {
    decode<PER_LANE>(q, keyCache, valueCache, position, out, heads, kvHeads, headDim, scale);
}

// headDim ≤ 64 (Llama 3.2 1B) and ≤ 128 (8B): fewer registers, values loaded with the keys
extern "C" __global__ void __launch_bounds__(32 * 32) attention_decode_d64(
        const float* q, const float* keyCache, const float* valueCache, const int* position, float* out,
        int heads, int kvHeads, int headDim, float scale) {
    decode<2>(q, keyCache, valueCache, position, out, heads, kvHeads, headDim, scale);
}

extern "C" __global__ void __launch_bounds__(32 * 32) attention_decode_d128(
        const float* q, const float* keyCache, const float* valueCache, const int* position, float* out,
        int heads, int kvHeads, int headDim, float scale) {
    decode<4>(q, keyCache, valueCache, position, out, heads, kvHeads, headDim, scale);
}

extern "C" __global__ void __launch_bounds__(4 * 32) attention_prefill(
        const float* q, const float* keyCache, const float* valueCache, int start,
        unsigned short* hi, unsigned short* lo, int heads, int kvHeads, int headDim, float scale) {
    const long long t = blockIdx.y;
    const long long queryDim = (long long) heads * headDim;
    attend<4>(q + t * queryDim, keyCache, valueCache, start + (int) t + 1, nullptr,
              hi + t * queryDim, lo != nullptr ? lo + t * queryDim : nullptr, heads, kvHeads, headDim, scale);
}

// attention_paged: B rows at once over a paged pool (BatchDecoder): row b (blockIdx.y) attends to
//   positions [0, positions[b]] of its own blocks (blockTable row b), output as the hi/lo bf16 pair the
//   wo GEMM reads. Launch: grid (heads, B), block 128 (4 warps).
extern "C" __global__ void __launch_bounds__(4 * 32) attention_paged(
        const float* q, const float* keyPool, const float* valuePool, const int* positions,
        const int* blockTable, int maxBlocks, int blockSize,
        unsigned short* hi, unsigned short* lo, int heads, int kvHeads, int headDim, float scale) {
    const long long b = blockIdx.y;
    const long long queryDim = (long long) heads * headDim;
    attend<4>(q + b * queryDim, keyPool, valuePool, positions[b] + 1, nullptr,
              hi + b * queryDim, lo != nullptr ? lo + b * queryDim : nullptr, heads, kvHeads, headDim, scale,
              blockTable + b * maxBlocks, blockSize);
}
