// Shared device code of the decode GEMVs, included by gemv.cu (BF16, F16, F32 weights) and
// gemv_q8.cu (Q8_0 weights): the launch shape, the streaming load, the warp sum, the load of x
// with the fused RMSNorm, and the epilogues (store with bias, residual add, SwiGLU, qkv + RoPE +
// KV write) that run once a warp's row sums are complete. Only the main loop (how a weight chunk
// is decoded and dotted) differs between the weight types.
// scripts/build-kernels.sh hashes this header together with each .cu that includes it, so its
// PTX is rebuilt when this file changes (KernelSourcesTest).
#pragma once

#define WARPS 4
#define ROWS 2 // rows per warp; the _residual_r1 kernels use 1 (twice the warps, for small matrices)
#define UNROLL 4
#ifndef PDL_TRIGGER_EARLY
#define PDL_TRIGGER_EARLY 0 // 1: let the next kernel start once every block of this one has started
#endif
#ifndef PDL_PREFETCH
#define PDL_PREFETCH 0      // 1: prefetch the first weight chunks into L2 before waiting
#endif

enum Epilogue { STORE, RESIDUAL, SWIGLU, QKV_ROPE };

struct Rope {
    const float* invFreq;
    const int* position;
    float* keyCache;
    float* valueCache;
    int heads, kvHeads, headDim, interleaved;
};

__device__ __forceinline__ uint4 load_streaming(const uint4* p) {
    uint4 v;
    asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// Programmatic dependent launch (see gemv.cu): after the row pointers are set up, before x is read or
// anything written, wait for the kernel before (a no-op when launched plainly); optionally trigger
// the next kernel early and prefetch this warp's first weight chunks (off: measured slower).
template <int NR>
__device__ __forceinline__ void pdl_wait(const uint4* const (&rowPtr)[NR], int lane, int chunks) {
#if PDL_TRIGGER_EARLY
    asm volatile("griddepcontrol.launch_dependents;");
#endif
#if PDL_PREFETCH
#pragma unroll
    for (int u = 0; u < UNROLL; u++) {
        int c = lane + u * 32;
        if (c < chunks) {
#pragma unroll
            for (int r = 0; r < NR; r++) {
                asm volatile("prefetch.global.L2 [%0];" :: "l"(rowPtr[r] + c));
            }
        }
    }
#endif
    asm volatile("griddepcontrol.wait;" ::: "memory");
}

// xv[0..N) = x[N·c ..] (times the norm weight g when norm is not null, Σx² accumulated first).
template <int N>
__device__ __forceinline__ void load_x(const float* __restrict__ x, const float* __restrict__ norm, int c,
                                       float* xv, float& sumOfSquares) {
    const float4* x4 = reinterpret_cast<const float4*>(x) + (N / 4) * c;
#pragma unroll
    for (int j = 0; j < N / 4; j++) {
        float4 a = x4[j];
        xv[4 * j] = a.x; xv[4 * j + 1] = a.y; xv[4 * j + 2] = a.z; xv[4 * j + 3] = a.w;
    }
    if (norm != nullptr) {
        const float4* g4 = reinterpret_cast<const float4*>(norm) + (N / 4) * c;
        float gv[N];
#pragma unroll
        for (int j = 0; j < N / 4; j++) {
            float4 g = g4[j];
            gv[4 * j] = g.x; gv[4 * j + 1] = g.y; gv[4 * j + 2] = g.z; gv[4 * j + 3] = g.w;
        }
#pragma unroll
        for (int i = 0; i < N; i++) {
            sumOfSquares = fmaf(xv[i], xv[i], sumOfSquares);
            xv[i] *= gv[i];
        }
    }
}

// After the main loop: every lane holds partial sums acc[0..NR) of its warp's rows (rows
// firstRow .. firstRow + ROWS_T - 1; for SWIGLU acc[ROWS_T + r] is the up row of gate row r) and a
// partial Σx²; sums them over the warp, applies the norm scale and the MODE's epilogue.
template <int MODE, int ROWS_T, int NR>
__device__ __forceinline__ void gemv_finish(float (&acc)[NR], float sumOfSquares, int lane, int firstRow,
                                            const float* __restrict__ norm, float eps, const float* __restrict__ bias,
                                            float* out, int rows, int K, const Rope& rope) {
#pragma unroll
    for (int r = 0; r < NR; r++) {
        acc[r] = warp_sum(acc[r]);
    }
    float scale = 1.f;
    if (norm != nullptr) {
        scale = rsqrtf(warp_sum(sumOfSquares) / K + eps);
    }
    if constexpr (MODE == QKV_ROPE) {
        // ROWS_T == 2: acc[0], acc[1] are rows firstRow (even) and firstRow + 1 of the pair-ordered qkv
        if (lane == 0) {
            const int queryDim = rope.heads * rope.headDim;
            const int kvDim = rope.kvHeads * rope.headDim;
            const int pos = rope.position[0];
            float x0 = acc[0] * scale + (bias != nullptr ? bias[firstRow] : 0.f);
            float x1 = acc[1] * scale + (bias != nullptr ? bias[firstRow + 1] : 0.f);
            if (firstRow < queryDim + kvDim) {
                const int h = firstRow / rope.headDim;
                const int i = (firstRow - h * rope.headDim) >> 1;
                const int a = rope.interleaved ? 2 * i : i;
                const int b = rope.interleaved ? 2 * i + 1 : i + rope.headDim / 2;
                float sn, cs;
                sincosf((float) pos * rope.invFreq[i], &sn, &cs);
                float ra = x0 * cs - x1 * sn;
                float rb = x1 * cs + x0 * sn;
                float* dst = h < rope.heads ? out + h * rope.headDim
                                            : rope.keyCache + (long long) pos * kvDim + (h - rope.heads) * rope.headDim;
                dst[a] = ra;
                dst[b] = rb;
            } else {
                float* dst = rope.valueCache + (long long) pos * kvDim + (firstRow - queryDim - kvDim);
                dst[0] = x0;
                dst[1] = x1;
            }
        }
        return;
    }
    if (lane < ROWS_T && firstRow + lane < rows) {
        int row = firstRow + lane;
        float value = 0.f;
#pragma unroll
        for (int r = 0; r < ROWS_T; r++) { // select acc[lane] with compile-time indices only
            if (r == lane) {
                value = acc[r] * scale;
                if (MODE == SWIGLU) {
                    float up = acc[r + (NR - ROWS_T)] * scale;
                    value = value / (1.f + expf(-value)) * up;
                }
            }
        }
        if (MODE == RESIDUAL) {
            out[row] += value;
        } else {
            out[row] = bias != nullptr ? value + bias[row] : value;
        }
    }
}
