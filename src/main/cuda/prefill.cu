// Op: the element-wise steps of a batched prefill of T tokens, around the cuBLAS GEMMs
//     (BF16 weights × BF16 activations, f32 accumulation and output; see CudaPrefill.java).
//   Activations a matmul reads are written as a pair of BF16 matrices, hi = bf16(y) and
//   lo = bf16(y − hi) (lo may be null): W·y ≈ W·hi + W·lo keeps ~16 mantissa bits of y, so the
//   "split" precision matches the f32 decode path to ~1e-5; "bf16" mode skips lo and the second GEMM.
//   embedding_gather_rows  x[t, i] = float(table[tokens[t] · dim + i])                 grid (ceil(dim/256), T), block 256
//   rmsnorm_split_bf16     y = x[t] · g / sqrt(mean(x[t]²) + eps); hi, lo of y           grid T, block 256
//   swiglu_split_bf16      y[t, i] = silu(gu[t, i]) · gu[t, hidden + i]; hi, lo of y     grid (ceil(hidden/256), T), block 256
//   rope_kv_prefill        q and k of token t rotated at position start + t (as rope_kv.cu), bias added
//                          first when not null; q to q (T, heads·headDim) f32, k and v to the cache rows.
//                          qkv (T, qkvRows) f32 holds q and k rows "pair-ordered" when pairOrdered = 1:
//                          in each head, row 2m is rotary element a(m) and row 2m + 1 element b(m)
//                          (DeviceWeights stacks the qkv weights so, for the fused decode epilogue).
//                          grid (ceil(((heads + kvHeads)·headDim/2 + kvDim)/256), T), block 256
// Shapes: table (vocab, dim) bf16; tokens (T) int32; x (T, dim) f32; norm (K) f32; gu (T, 2·hidden) f32;
//         hi, lo (T, K) bf16; keyCache, valueCache (capacity, kvHeads·headDim) f32, this layer's slice.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/prefill.cu -o prefill.ptx (scripts/build-kernels.sh).
// CPU reference: CudaPrefill.reference* (src/main/java/ai/ensemble/engine/cuda).

#include "rope_rows.cuh"

__device__ __forceinline__ unsigned short bf16_rn(float v) {
    unsigned int bits = __float_as_uint(v);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (unsigned short) (bits >> 16);
}

__device__ __forceinline__ float bf16_value(unsigned short b) {
    return __uint_as_float((unsigned int) b << 16);
}

__device__ __forceinline__ void store_split(unsigned short* hi, unsigned short* lo, long long i, float y) {
    unsigned short h = bf16_rn(y);
    hi[i] = h;
    if (lo != nullptr) {
        lo[i] = bf16_rn(y - bf16_value(h));
    }
}

extern "C" __global__ void embedding_gather_rows(const unsigned short* table, const int* tokens, float* x, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int t = blockIdx.y;
    if (i < dim) {
        x[(long long) t * dim + i] = bf16_value(table[(long long) tokens[t] * dim + i]);
    }
}

extern "C" __global__ void __launch_bounds__(256) rmsnorm_split_bf16(
        const float* x, const float* norm, float eps, unsigned short* hi, unsigned short* lo, int K) {
    __shared__ float partial[8];
    const float* row = x + (long long) blockIdx.x * K;
    float sum = 0.f;
    for (int i = threadIdx.x; i < K; i += blockDim.x) {
        float v = row[i];
        sum = fmaf(v, v, sum);
    }
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    }
    if ((threadIdx.x & 31) == 0) {
        partial[threadIdx.x >> 5] = sum;
    }
    __syncthreads();
    float total = 0.f;
#pragma unroll
    for (int w = 0; w < 8; w++) {
        total += partial[w];
    }
    float scale = norm != nullptr ? rsqrtf(total / K + eps) : 1.f;
    long long base = (long long) blockIdx.x * K;
    for (int i = threadIdx.x; i < K; i += blockDim.x) {
        float y = norm != nullptr ? row[i] * scale * norm[i] : row[i];
        store_split(hi, lo, base + i, y);
    }
}

extern "C" __global__ void swiglu_split_bf16(const float* gu, int hidden, unsigned short* hi, unsigned short* lo) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int t = blockIdx.y;
    if (i < hidden) {
        const float* row = gu + (long long) t * 2 * hidden;
        float gate = row[i];
        float up = row[hidden + i];
        store_split(hi, lo, (long long) t * hidden + i, gate / (1.f + expf(-gate)) * up);
    }
}

extern "C" __global__ void rope_kv_prefill(const float* qkv, const float* bias, const float* invFreq, int start,
                                           float* q, float* keyCache, float* valueCache,
                                           int heads, int kvHeads, int headDim, int interleaved, int pairOrdered) {
    const int t = blockIdx.y;
    const int kvDim = kvHeads * headDim;
    const int queryDim = heads * headDim;
    const int pos = start + t;
    rope_kv_row(qkv + (long long) t * (queryDim + 2 * kvDim), bias, invFreq, pos, blockIdx.x * blockDim.x + threadIdx.x,
                q + (long long) t * queryDim, keyCache + (long long) pos * kvDim, valueCache + (long long) pos * kvDim,
                heads, kvHeads, headDim, interleaved, pairOrdered);
}
