// Op: matrix-vector product for batch-1 decode, BF16 / F16 / F32 weights, f32 activations and
//     accumulation, with the RMSNorm of the input and the consumer's element-wise step fused in
//     (T = bf16, f16 or f32 in the kernel names; Q8_0 weights: gemv_q8.cu, same epilogues):
//   gemv_T          out[r]  = s · Σ_k W[r,k] · g[k] · x[k] + bias[r]      (q/k/v, logits)
//   gemv_T_residual out[r] += Σ_k W[r,k] · x[k]                          (wo, w_down: residual add)
//   gemv_T_residual_r1  the same with one row per warp: grid ceil(rows / WARPS)
//   gemv_T_swiglu   out[r]  = silu(s · Σ_k G[r,k] g[k] x[k]) · (s · Σ_k U[r,k] g[k] x[k])
//                   with W = [G; U] stacked (2 · rows, K)                (w_gate, w_up)
//   gemv_T_qkv_rope the q/k/v projection (as gemv_T) with rope_kv.cu fused into the epilogue:
//                   W's q and k rows are pair-ordered (in each head, row 2m holds rotary element
//                   a(m), row 2m + 1 element b(m); DeviceWeights stacks them so), so the two rows a
//                   warp owns are one rotary pair: rotated q goes to out (heads·headDim, original
//                   order), rotated k and v to row position[0] of the layer's KV cache.
//   where s = 1 / sqrt(mean(x²) + eps) and g the norm weight when `norm` is not null, else s = g = 1;
//   `bias` may be null.
// Shapes: W (rows, K) row-major (or (2 · rows, K) for swiglu) of bf16, f16 or f32; K a multiple of 8
//         (bf16, f16) or 4 (f32); x (K) f32; norm (K) f32 or null; bias (rows) f32 or null; out (rows) f32.
// Launch: grid ceil(rows / (WARPS · ROWS)), block WARPS · 32 = 128.
// Why this shape: decode is bound by reading W once. Each warp owns ROWS rows; every lane loads
//   16 bytes (8 bf16 / 8 f16 / 4 f32) per row per step, a warp 512 contiguous bytes, UNROLL steps in
//   flight before the first use; W bypasses L1 (read once), x comes from L1/L2. The norm costs one
//   more warp sum (Σx² while x streams past), which is cheaper than a separate kernel and launch.
//   The element types share this loop through a Format (elements per 16 bytes and their dot with x);
//   the epilogues are gemv_common.cuh's, shared with gemv_q8.cu. bf16 → f32 is a shift, f16 → f32
//   one cvt per element (the conversion pipe is far from the limit at 2 bytes per element).
// Programmatic dependent launch: in a decode graph each GEMV is launched so that it may be set up
//   while the kernel before it finishes (CudaContext, cuLaunchKernelEx); it waits for that kernel's
//   results (griddepcontrol.wait, gemv_common.cuh's pdl_wait) before it reads x or writes anything.
//   Launched plainly, the wait does nothing. Two further steps are built in but off, since they
//   measured slower on an H200 (scripts/device/decode-variants.sh, 1B shapes: 1,052 tok/s without, 913
//   with PDL_TRIGGER_EARLY, 862 with both): PDL_TRIGGER_EARLY lets the next kernel's blocks in as soon
//   as every block of this one has started, PDL_PREFETCH asks L2 for the first weight chunks before
//   the wait (weights are never written, so that is safe).
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/gemv.cu -o gemv.ptx (scripts/build-kernels.sh).
// CPU reference: Gemv.reference (src/main/java/ai/ensemble/engine/cuda), on the decoded weights.

#include "gemv_common.cuh"

// Σ of 8 bf16 (packed two per word, element 2i in the low half) times 8 floats.
__device__ __forceinline__ float dot8(uint4 w, const float* xv) {
    float s = __uint_as_float(w.x << 16) * xv[0];
    s = fmaf(__uint_as_float(w.x & 0xffff0000u), xv[1], s);
    s = fmaf(__uint_as_float(w.y << 16), xv[2], s);
    s = fmaf(__uint_as_float(w.y & 0xffff0000u), xv[3], s);
    s = fmaf(__uint_as_float(w.z << 16), xv[4], s);
    s = fmaf(__uint_as_float(w.z & 0xffff0000u), xv[5], s);
    s = fmaf(__uint_as_float(w.w << 16), xv[6], s);
    s = fmaf(__uint_as_float(w.w & 0xffff0000u), xv[7], s);
    return s;
}

__device__ __forceinline__ float half_to_float(unsigned int bits) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"((unsigned short) bits));
    return f;
}

// Σ of 8 f16 (packed two per word, element 2i in the low half) times 8 floats.
__device__ __forceinline__ float dot8_f16(uint4 w, const float* xv) {
    float s = half_to_float(w.x) * xv[0];
    s = fmaf(half_to_float(w.x >> 16), xv[1], s);
    s = fmaf(half_to_float(w.y), xv[2], s);
    s = fmaf(half_to_float(w.y >> 16), xv[3], s);
    s = fmaf(half_to_float(w.z), xv[4], s);
    s = fmaf(half_to_float(w.z >> 16), xv[5], s);
    s = fmaf(half_to_float(w.w), xv[6], s);
    s = fmaf(half_to_float(w.w >> 16), xv[7], s);
    return s;
}

// Σ of 4 f32 times 4 floats.
__device__ __forceinline__ float dot4_f32(uint4 w, const float* xv) {
    float s = __uint_as_float(w.x) * xv[0];
    s = fmaf(__uint_as_float(w.y), xv[1], s);
    s = fmaf(__uint_as_float(w.z), xv[2], s);
    s = fmaf(__uint_as_float(w.w), xv[3], s);
    return s;
}

// How 16 bytes of a row decode: SHIFT = log2(elements per 16 bytes).
struct Bf16 {
    static constexpr int SHIFT = 3;
    static __device__ __forceinline__ float dot(uint4 w, const float* xv) { return dot8(w, xv); }
};
struct F16 {
    static constexpr int SHIFT = 3;
    static __device__ __forceinline__ float dot(uint4 w, const float* xv) { return dot8_f16(w, xv); }
};
struct F32 {
    static constexpr int SHIFT = 2;
    static __device__ __forceinline__ float dot(uint4 w, const float* xv) { return dot4_f32(w, xv); }
};

template <typename F, int MODE, int ROWS_T = ROWS>
__device__ __forceinline__ void gemv(const uint4* __restrict__ W, const float* __restrict__ x,
                                     const float* __restrict__ norm, float eps, const float* __restrict__ bias,
                                     float* out, int rows, int K, Rope rope = Rope()) {
    constexpr int NR = MODE == SWIGLU ? 2 * ROWS_T : ROWS_T; // rows dotted per warp
    constexpr int E = 1 << F::SHIFT;                         // elements per 16-byte chunk
    const int lane = threadIdx.x & 31;
    const int firstRow = (blockIdx.x * WARPS + (threadIdx.x >> 5)) * ROWS_T;
    if (firstRow >= rows) {
        return;
    }
    const int chunks = K >> F::SHIFT; // 16-byte chunks per row
    const uint4* rowPtr[NR];
#pragma unroll
    for (int r = 0; r < NR; r++) {
        int row = min(firstRow + (r % ROWS_T), rows - 1); // clamped: loads stay in bounds, stores are skipped
        long long matrixRow = r < ROWS_T ? row : (long long) rows + row;
        rowPtr[r] = W + matrixRow * chunks;
    }
    pdl_wait<NR>(rowPtr, lane, chunks);
    float acc[NR];
#pragma unroll
    for (int r = 0; r < NR; r++) {
        acc[r] = 0.f;
    }
    float sumOfSquares = 0.f;
    for (int base = lane; base < chunks; base += 32 * UNROLL) {
        uint4 w[UNROLL][NR];
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int c = base + u * 32;
#pragma unroll
            for (int r = 0; r < NR; r++) {
                w[u][r] = c < chunks ? load_streaming(rowPtr[r] + c) : make_uint4(0, 0, 0, 0);
            }
        }
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int c = base + u * 32;
            if (c < chunks) {
                float xv[E];
                load_x<E>(x, norm, c, xv, sumOfSquares);
#pragma unroll
                for (int r = 0; r < NR; r++) {
                    acc[r] += F::dot(w[u][r], xv);
                }
            }
        }
    }
    gemv_finish<MODE, ROWS_T, NR>(acc, sumOfSquares, lane, firstRow, norm, eps, bias, out, rows, K, rope);
}

#define GEMV_KERNELS(T, F)                                                                                           \
extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_##T(                                                   \
        const uint4* W, const float* x, const float* norm, float eps, const float* bias, float* out, int rows, int K) { \
    gemv<F, STORE>(W, x, norm, eps, bias, out, rows, K);                                                            \
}                                                                                                                    \
extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_##T##_residual(                                        \
        const uint4* W, const float* x, float* out, int rows, int K) {                                               \
    gemv<F, RESIDUAL>(W, x, nullptr, 0.f, nullptr, out, rows, K);                                                   \
}                                                                                                                    \
extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_##T##_swiglu(                                          \
        const uint4* W, const float* x, const float* norm, float eps, float* out, int rows, int K) {                 \
    gemv<F, SWIGLU>(W, x, norm, eps, nullptr, out, rows, K);                                                        \
}                                                                                                                    \
extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_##T##_qkv_rope(                                        \
        const uint4* W, const float* x, const float* norm, float eps, const float* bias, float* q, int rows, int K,   \
        const float* invFreq, const int* position, float* keyCache, float* valueCache,                               \
        int heads, int kvHeads, int headDim, int interleaved) {                                                      \
    Rope rope{invFreq, position, keyCache, valueCache, heads, kvHeads, headDim, interleaved};                        \
    gemv<F, QKV_ROPE>(W, x, norm, eps, bias, q, rows, K, rope);                                                     \
}                                                                                                                    \
extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_##T##_residual_r1(                                     \
        const uint4* W, const float* x, float* out, int rows, int K) {                                               \
    gemv<F, RESIDUAL, 1>(W, x, nullptr, 0.f, nullptr, out, rows, K);                                                \
}

GEMV_KERNELS(bf16, Bf16)
GEMV_KERNELS(f16, F16)
GEMV_KERNELS(f32, F32)
