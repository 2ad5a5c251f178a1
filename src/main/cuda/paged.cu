// Op: the per-sequence steps of a batched decode over a paged KV cache (see BatchDecoder.java).
//   B rows (a decode token of a sequence, or a prompt token being prefilled) are computed at once; sequence b is at position positions[b] and its cache rows live
//   in fixed-size blocks: position p is row blockTable[b · maxBlocks + p / blockSize] · blockSize
//   + p % blockSize of the layer's pool. The matmuls around these are cuBLAS GEMMs (n = B).
//   rope_kv_paged     q and k of row b rotated at positions[b] (as rope_kv_prefill in prefill.cu, bias
//                     added first when not null, pairOrdered qkv rows); q to q (B, heads·headDim), k and v
//                     to the pool row of positions[b].  grid (ceil(((heads+kvHeads)·headDim/2 + kvDim)/256), B), block 256
//   attention_paged   out[b, h] = Σ_{p ≤ positions[b]} softmax_p(q[b, h]·k[p]·scale) · v[p] over the
//                     sequence's own blocks (grouped-query, online softmax as attention.cu), written as the
//                     hi/lo bf16 pair the wo GEMM reads (lo may be null).  grid (heads, B), block 128
//   argmax_rows       tokens[b] = argmax_i logits[b · n + i] (lowest index on ties).  grid B, block 1024
//   gather_rows       out[i] = x[rows[i]] (dim f32 rows): the rows whose logits are wanted.  grid (ceil(dim/256), n), block 256
//   A prompt is prefilled by the same kernels: its T tokens are T rows at positions start..start+T-1 sharing
//   one block table; every row's k and v are written (rope_kv_paged) before any row attends, so each row
//   attends causally to the prompt rows before it.
// Shapes: qkv (B, qkvRows) f32; positions (B) int32; blockTable (B, maxBlocks) int32;
//         keyPool, valuePool (blocks · blockSize, kvDim) f32, this layer's slice; headDim ≤ 256.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/paged.cu -o paged.ptx (scripts/build-kernels.sh).
// CPU reference: AttentionDecode.reference (attention); the batch-1 decode graph (BatchDecoderTest).

#define PER_LANE 8
#define POSITIONS 8
#define WARPS 4

__device__ __forceinline__ unsigned short bf16_rn(float v) {
    unsigned int bits = __float_as_uint(v);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (unsigned short) (bits >> 16);
}

__device__ __forceinline__ long long pool_row(const int* table, int blockSize, int p) {
    return (long long) table[p / blockSize] * blockSize + (p % blockSize);
}

extern "C" __global__ void rope_kv_paged(const float* qkv, const float* bias, const float* invFreq,
                                         const int* positions, const int* blockTable, int maxBlocks, int blockSize,
                                         float* q, float* keyPool, float* valuePool,
                                         int heads, int kvHeads, int headDim, int interleaved, int pairOrdered) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    const int t = blockIdx.y;
    const int half = headDim / 2;
    const int pairs = (heads + kvHeads) * half;
    const int kvDim = kvHeads * headDim;
    const int queryDim = heads * headDim;
    const int rows = queryDim + 2 * kvDim;
    const int pos = positions[t];
    const long long row = pool_row(blockTable + (long long) t * maxBlocks, blockSize, pos);
    const float* in = qkv + (long long) t * rows;
    if (j < pairs) {
        int h = j / half;
        int i = j - h * half;
        int a = interleaved ? 2 * i : i;
        int b = interleaved ? 2 * i + 1 : i + half;
        int ra = h * headDim + (pairOrdered ? 2 * i : a);
        int rb = h * headDim + (pairOrdered ? 2 * i + 1 : b);
        float x = in[ra];
        float y = in[rb];
        if (bias != nullptr) {
            x += bias[ra];
            y += bias[rb];
        }
        float s, c;
        sincosf((float) pos * invFreq[i], &s, &c);
        float va = x * c - y * s;
        float vb = y * c + x * s;
        if (h < heads) {
            float* out = q + (long long) t * queryDim + h * headDim;
            out[a] = va;
            out[b] = vb;
        } else {
            float* out = keyPool + row * kvDim + (h - heads) * headDim;
            out[a] = va;
            out[b] = vb;
        }
    } else if (j < pairs + kvDim) {
        int i = j - pairs;
        float v = in[queryDim + kvDim + i];
        if (bias != nullptr) {
            v += bias[queryDim + kvDim + i];
        }
        valuePool[row * kvDim + i] = v;
    }
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) attention_paged(
        const float* qAll, const float* keyPool, const float* valuePool, const int* positionsAll,
        const int* blockTable, int maxBlocks, int blockSize,
        unsigned short* hiAll, unsigned short* loAll, int heads, int kvHeads, int headDim, float scale) {
    __shared__ float partialMax[WARPS];
    __shared__ float partialSum[WARPS];
    __shared__ float partialOut[WARPS][PER_LANE * 32];

    const int h = blockIdx.x;
    const long long b = blockIdx.y;
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int kvDim = kvHeads * headDim;
    const int kvOffset = (h / (heads / kvHeads)) * headDim;
    const long long queryDim = (long long) heads * headDim;
    const float* q = qAll + b * queryDim;
    const int* table = blockTable + b * maxBlocks;
    const int positions = positionsAll[b] + 1;
    unsigned short* hi = hiAll + b * queryDim;
    unsigned short* lo = loAll != nullptr ? loAll + b * queryDim : nullptr;

    float query[PER_LANE];
    float acc[PER_LANE];
#pragma unroll
    for (int j = 0; j < PER_LANE; j++) {
        int d = j * 32 + lane;
        query[j] = d < headDim ? q[h * headDim + d] * scale : 0.f;
        acc[j] = 0.f;
    }
    float runningMax = -INFINITY;
    float runningSum = 0.f;
    for (int base = warp * POSITIONS; base < positions; base += WARPS * POSITIONS) {
        float score[POSITIONS];
#pragma unroll
        for (int i = 0; i < POSITIONS; i++) {
            const float* key = keyPool + pool_row(table, blockSize, min(base + i, positions - 1)) * kvDim + kvOffset;
            score[i] = 0.f;
#pragma unroll
            for (int j = 0; j < PER_LANE; j++) {
                int d = j * 32 + lane;
                if (d < headDim) {
                    score[i] = fmaf(query[j], key[d], score[i]);
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
        for (int j = 0; j < PER_LANE; j++) {
            acc[j] *= correction;
        }
#pragma unroll
        for (int i = 0; i < POSITIONS; i++) {
            if (base + i < positions) {
                const float* value = valuePool + pool_row(table, blockSize, base + i) * kvDim + kvOffset;
                float weight = expf(score[i] - newMax);
                runningSum += weight;
#pragma unroll
                for (int j = 0; j < PER_LANE; j++) {
                    int d = j * 32 + lane;
                    if (d < headDim) {
                        acc[j] = fmaf(weight, value[d], acc[j]);
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
    for (int j = 0; j < PER_LANE; j++) {
        partialOut[warp][j * 32 + lane] = acc[j];
    }
    __syncthreads();
    float maximum = -INFINITY;
    for (int w = 0; w < WARPS; w++) {
        maximum = fmaxf(maximum, partialMax[w]);
    }
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float sum = 0.f;
        float weighted = 0.f;
        for (int w = 0; w < WARPS; w++) {
            float factor = partialSum[w] > 0.f ? expf(partialMax[w] - maximum) : 0.f;
            sum += partialSum[w] * factor;
            weighted += partialOut[w][d] * factor;
        }
        float y = weighted / sum;
        unsigned short high = bf16_rn(y);
        hi[h * headDim + d] = high;
        if (lo != nullptr) {
            lo[h * headDim + d] = bf16_rn(y - __uint_as_float((unsigned int) high << 16));
        }
    }
}

__device__ __forceinline__ void better(float& value, int& index, float otherValue, int otherIndex) {
    if (otherValue > value || (otherValue == value && otherIndex < index)) {
        value = otherValue;
        index = otherIndex;
    }
}

extern "C" __global__ void __launch_bounds__(1024) argmax_rows(const float* logits, int n, int* tokens) {
    __shared__ float bestValue[32];
    __shared__ int bestIndex[32];
    const float* row = logits + (long long) blockIdx.x * n;
    float value = -INFINITY;
    int index = 0x7fffffff;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        better(value, index, row[i], i);
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
            tokens[blockIdx.x] = index == 0x7fffffff ? 0 : index;
        }
    }
}

extern "C" __global__ void gather_rows(const float* x, const int* rows, float* out, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < dim) {
        out[(long long) blockIdx.y * dim + i] = x[(long long) rows[blockIdx.y] * dim + i];
    }
}
