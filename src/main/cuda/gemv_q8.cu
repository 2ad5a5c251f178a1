// Op: matrix-vector product for batch-1 decode with Q8_0 weights (GGUF's quantisation: blocks of
//     32 weights, w = d · q with an f16 scale d per block and int8 q), f32 activations and
//     accumulation, with the same fused RMSNorm and epilogues as gemv.cu (gemv_common.cuh):
//   gemv_q8_0          out[r]  = s · Σ_k W[r,k] · g[k] · x[k] + bias[r]
//   gemv_q8_0_residual out[r] += Σ_k W[r,k] · x[k];  gemv_q8_0_residual_r1 one row per warp
//   gemv_q8_0_swiglu   out[r]  = silu(s · G[r]·(g∘x)) · (s · U[r]·(g∘x)), W = [G; U] (2 · rows, K)
//   gemv_q8_0_qkv_rope the pair-ordered q/k/v projection with RoPE and the KV write (as gemv.cu)
// Layout (DeviceMatrix.java repacks GGUF's 34-byte blocks at upload): Q (rows, K) int8 row-major,
//   then S (rows, K/32) f16 row-major: block b of row r is Q[r, 32b .. 32b+31] with scale S[r, b].
//   A row of quants is K bytes (a multiple of 32), so every row starts 16-byte aligned and a lane
//   reads whole 16-byte pieces; the scales add 2 bytes per 32 weights (34 per block, as the file).
//   Q and S are passed as separate pointers (S = Q + rows · K bytes in a DeviceMatrix).
// Shapes: Q (rows, K) int8 (swiglu: (2 · rows, K)); S (rows, K/32) f16 (swiglu: (2 · rows, K/32));
//         K a multiple of 32; x (K) f32; norm (K) f32 or null; bias (rows) f32 or null; out (rows) f32.
// Launch: grid ceil(rows / (WARPS · ROWS)), block WARPS · 32 = 128 (residual_r1: ceil(rows / WARPS)).
// Why this shape: as gemv.cu, decode reads W once; each lane loads 16 quants (half a block) per row
//   per step plus that block's 2-byte scale (a warp: 512 contiguous bytes of quants and 32 of
//   scales), UNROLL steps in flight. q → f32 without the int→float conversion pipe (16 per clock
//   per SM on Hopper, about what 3+ TB/s of int8 needs): the byte, biased by 128, is placed in the
//   mantissa of 2^23 with one byte permute and 2^23 + 128 subtracted, exact. A lane sums q · x over
//   its 16 elements and multiplies by d once (the CPU sums a whole block, then multiplies).
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/gemv_q8.cu -o gemv_q8.ptx (scripts/build-kernels.sh,
//          which hashes gemv_common.cuh with this file).
// CPU reference: Gemv.reference on the weights decoded as Q8_0Tensor does (d · q in f32).

#include "gemv_common.cuh"

__device__ __forceinline__ float load_scale(const unsigned short* p) {
    unsigned short bits;
    asm("ld.global.nc.L1::no_allocate.u16 %0, [%1];" : "=h"(bits) : "l"(p));
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(bits));
    return f;
}

// q (int8 byte i of w) as an exact float: u = q + 128 in the low mantissa bits of 2^23.
__device__ __forceinline__ float q8_at(unsigned int biased, unsigned int selector) {
    return __uint_as_float(__byte_perm(biased, 0x4B00u, selector)) - 8388736.f; // 2^23 + 128
}

// Σ of 16 int8 (little-endian bytes of w) times 16 floats.
__device__ __forceinline__ float dot16_q8(uint4 w, const float* xv) {
    unsigned int words[4] = {w.x ^ 0x80808080u, w.y ^ 0x80808080u, w.z ^ 0x80808080u, w.w ^ 0x80808080u};
    float s0 = 0.f, s1 = 0.f;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        s0 = fmaf(q8_at(words[j], 0x5440u), xv[4 * j], s0);
        s1 = fmaf(q8_at(words[j], 0x5441u), xv[4 * j + 1], s1);
        s0 = fmaf(q8_at(words[j], 0x5442u), xv[4 * j + 2], s0);
        s1 = fmaf(q8_at(words[j], 0x5443u), xv[4 * j + 3], s1);
    }
    return s0 + s1;
}

template <int MODE, int ROWS_T = ROWS>
__device__ __forceinline__ void gemv_q8(const uint4* __restrict__ Q, const unsigned short* __restrict__ S,
                                        const float* __restrict__ x, const float* __restrict__ norm, float eps,
                                        const float* __restrict__ bias, float* out, int rows, int K, Rope rope = Rope()) {
    constexpr int NR = MODE == SWIGLU ? 2 * ROWS_T : ROWS_T; // rows dotted per warp
    const int lane = threadIdx.x & 31;
    const int firstRow = (blockIdx.x * WARPS + (threadIdx.x >> 5)) * ROWS_T;
    if (firstRow >= rows) {
        return;
    }
    const int chunks = K >> 4;  // 16-quant chunks per row; chunk c is half of block c / 2
    const int blocks = K >> 5;
    const uint4* rowPtr[NR];
    const unsigned short* scalePtr[NR];
#pragma unroll
    for (int r = 0; r < NR; r++) {
        int row = min(firstRow + (r % ROWS_T), rows - 1); // clamped: loads stay in bounds, stores are skipped
        long long matrixRow = r < ROWS_T ? row : (long long) rows + row;
        rowPtr[r] = Q + matrixRow * chunks;
        scalePtr[r] = S + matrixRow * blocks;
    }
    pdl_wait<NR>(rowPtr, lane, chunks); // programmatic dependent launch, as gemv.cu
    float acc[NR];
#pragma unroll
    for (int r = 0; r < NR; r++) {
        acc[r] = 0.f;
    }
    float sumOfSquares = 0.f;
    for (int base = lane; base < chunks; base += 32 * UNROLL) {
        uint4 w[UNROLL][NR];
        float d[UNROLL][NR];
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int c = base + u * 32;
#pragma unroll
            for (int r = 0; r < NR; r++) {
                w[u][r] = c < chunks ? load_streaming(rowPtr[r] + c) : make_uint4(0, 0, 0, 0);
                d[u][r] = c < chunks ? load_scale(scalePtr[r] + (c >> 1)) : 0.f;
            }
        }
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int c = base + u * 32;
            if (c < chunks) {
                float xv[16];
                load_x<16>(x, norm, c, xv, sumOfSquares);
#pragma unroll
                for (int r = 0; r < NR; r++) {
                    acc[r] = fmaf(d[u][r], dot16_q8(w[u][r], xv), acc[r]);
                }
            }
        }
    }
    gemv_finish<MODE, ROWS_T, NR>(acc, sumOfSquares, lane, firstRow, norm, eps, bias, out, rows, K, rope);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_q8_0(
        const uint4* Q, const unsigned short* S, const float* x, const float* norm, float eps, const float* bias,
        float* out, int rows, int K) {
    gemv_q8<STORE>(Q, S, x, norm, eps, bias, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_q8_0_residual(
        const uint4* Q, const unsigned short* S, const float* x, float* out, int rows, int K) {
    gemv_q8<RESIDUAL>(Q, S, x, nullptr, 0.f, nullptr, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_q8_0_residual_r1(
        const uint4* Q, const unsigned short* S, const float* x, float* out, int rows, int K) {
    gemv_q8<RESIDUAL, 1>(Q, S, x, nullptr, 0.f, nullptr, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_q8_0_swiglu(
        const uint4* Q, const unsigned short* S, const float* x, const float* norm, float eps, float* out,
        int rows, int K) {
    gemv_q8<SWIGLU>(Q, S, x, norm, eps, nullptr, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_q8_0_qkv_rope(
        const uint4* Q, const unsigned short* S, const float* x, const float* norm, float eps, const float* bias,
        float* q, int rows, int K, const float* invFreq, const int* position, float* keyCache, float* valueCache,
        int heads, int kvHeads, int headDim, int interleaved) {
    Rope rope{invFreq, position, keyCache, valueCache, heads, kvHeads, headDim, interleaved};
    gemv_q8<QKV_ROPE>(Q, S, x, norm, eps, bias, q, rows, K, rope);
}
