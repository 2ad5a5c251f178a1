// Op: decode a weight matrix stored as Q8_0 (DeviceMatrix's repacked layout, see gemv_q8.cu), F16 or
//     F32 into the BF16 pair the cuBLAS GEMMs of prefill and batched decode read, and gather
//     embedding rows of such a matrix into f32 activations.
//   dequant_q8_0_split_bf16  v = d · q (exact in f32: ≤ 18 significant bits), hi = bf16(v), lo = bf16(v − hi)
//   dequant_f16_split_bf16   v = f16 value (11 bits: hi + lo is exact)
//   dequant_f32_split_bf16   v = f32 value (hi + lo keeps 16 of its 24 bits)
//                            each writes hi[i] and, when lo is not null, lo[i], i = r · K + k over the rows given
//   gather_rows_q8_0 / _f16 / _f32   x[t, k] = W[tokens[t], k] as f32 (exact), as prefill.cu's
//                            embedding_gather_rows does for BF16 tables
//   join_split_bf16          x[i] = hi[i] + lo[i] (lo may be null) as f32, exact: the activations of a
//                            few rows back in f32 for the decode GEMVs (MatrixKernels' small batches)
// Why: the GEMMs run BF16 × BF16 with f32 accumulation. A BF16 hi + lo pair of the weight carries
//   16 significant bits (|v − hi| ≤ 2^-8 |v|, |v − hi − lo| ≤ 2^-16 |v|; exact for f16), so
//   W·x ≈ Whi·xhi + Whi·xlo + Wlo·xhi keeps the
//   precision of the f32 decode path (which reads d · q exactly) to ~1e-5, as the hi + lo split of
//   the activations already does for BF16 weights; F16 would keep only 11 bits of d · q and limit
//   the range of activations. With lo = null (the "bf16" precision) the weight is rounded to BF16
//   once, as the activations are. The matrix goes to a scratch buffer right before its GEMM (the
//   host does whole matrices or row ranges, see MatrixKernels.java).
// Shapes: Q (rows, K) int8 and S (rows, K/32) f16 of the rows to decode (the host offsets both);
//         W16 (n) f16, W32 (n) f32; hi, lo (n) bf16 (n = rows · K); tokens (T) int32; x (T, K) f32.
// Launch: dequant_q8_0_*: grid ceil(rows · K / 16 / 256), block 256 (a thread per 16 quants);
//         dequant_f16_* / f32_*, join_split_bf16: grid ceil(n / 256), block 256;
//         gather_rows_*: grid (ceil(K / 256), T), block 256.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/dequant.cu -o dequant.ptx (scripts/build-kernels.sh).
// CPU reference: MatrixKernels.referenceSplit (bf16 bits of hi and lo, bit for bit), DeviceMatrix.decode (gather).

__device__ __forceinline__ unsigned short bf16_rn(float v) {
    unsigned int bits = __float_as_uint(v);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (unsigned short) (bits >> 16);
}

__device__ __forceinline__ float half_value(unsigned short bits) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(bits));
    return f;
}

__device__ __forceinline__ void store_split(unsigned short* hi, unsigned short* lo, long long i, float v) {
    unsigned short h = bf16_rn(v);
    hi[i] = h;
    if (lo != nullptr) {
        lo[i] = bf16_rn(v - __uint_as_float((unsigned int) h << 16));
    }
}

extern "C" __global__ void __launch_bounds__(256) dequant_q8_0_split_bf16(
        const uint4* Q, const unsigned short* S, int rows, int K, unsigned short* hi, unsigned short* lo) {
    long long chunk = (long long) blockIdx.x * blockDim.x + threadIdx.x; // 16 quants
    long long chunks = (long long) rows * (K >> 4);
    if (chunk >= chunks) {
        return;
    }
    uint4 w = Q[chunk];
    float d = half_value(S[chunk >> 1]); // rows are whole blocks: chunk / 2 is the block, row-major like S
    unsigned int words[4] = {w.x, w.y, w.z, w.w};
    unsigned short h[16];
    unsigned short l[16];
#pragma unroll
    for (int j = 0; j < 16; j++) {
        float v = d * (float) (signed char) (words[j >> 2] >> (8 * (j & 3)));
        h[j] = bf16_rn(v);
        l[j] = bf16_rn(v - __uint_as_float((unsigned int) h[j] << 16));
    }
    uint4* hi4 = reinterpret_cast<uint4*>(hi) + 2 * chunk;
    hi4[0] = make_uint4(h[0] | ((unsigned int) h[1] << 16), h[2] | ((unsigned int) h[3] << 16), h[4] | ((unsigned int) h[5] << 16), h[6] | ((unsigned int) h[7] << 16));
    hi4[1] = make_uint4(h[8] | ((unsigned int) h[9] << 16), h[10] | ((unsigned int) h[11] << 16), h[12] | ((unsigned int) h[13] << 16), h[14] | ((unsigned int) h[15] << 16));
    if (lo != nullptr) {
        uint4* lo4 = reinterpret_cast<uint4*>(lo) + 2 * chunk;
        lo4[0] = make_uint4(l[0] | ((unsigned int) l[1] << 16), l[2] | ((unsigned int) l[3] << 16), l[4] | ((unsigned int) l[5] << 16), l[6] | ((unsigned int) l[7] << 16));
        lo4[1] = make_uint4(l[8] | ((unsigned int) l[9] << 16), l[10] | ((unsigned int) l[11] << 16), l[12] | ((unsigned int) l[13] << 16), l[14] | ((unsigned int) l[15] << 16));
    }
}

extern "C" __global__ void __launch_bounds__(256) dequant_f16_split_bf16(
        const unsigned short* W, long long n, unsigned short* hi, unsigned short* lo) {
    long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        store_split(hi, lo, i, half_value(W[i]));
    }
}

extern "C" __global__ void __launch_bounds__(256) dequant_f32_split_bf16(
        const float* W, long long n, unsigned short* hi, unsigned short* lo) {
    long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        store_split(hi, lo, i, W[i]);
    }
}

extern "C" __global__ void gather_rows_q8_0(const signed char* Q, const unsigned short* S, const int* tokens,
                                            float* x, int K) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    int t = blockIdx.y;
    if (k < K) {
        long long row = tokens[t];
        x[(long long) t * K + k] = half_value(S[row * (K >> 5) + (k >> 5)]) * (float) Q[row * K + k];
    }
}

extern "C" __global__ void gather_rows_f16(const unsigned short* W, const int* tokens, float* x, int K) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    int t = blockIdx.y;
    if (k < K) {
        x[(long long) t * K + k] = half_value(W[(long long) tokens[t] * K + k]);
    }
}

extern "C" __global__ void gather_rows_f32(const float* W, const int* tokens, float* x, int K) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    int t = blockIdx.y;
    if (k < K) {
        x[(long long) t * K + k] = W[(long long) tokens[t] * K + k];
    }
}

extern "C" __global__ void __launch_bounds__(256) join_split_bf16(
        const unsigned short* hi, const unsigned short* lo, int n, float* x) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float v = __uint_as_float((unsigned int) hi[i] << 16);
        if (lo != nullptr) {
            v += __uint_as_float((unsigned int) lo[i] << 16);
        }
        x[i] = v;
    }
}
