// Op: matrix-vector product for batch-1 decode, BF16 weights, f32 activations and accumulation,
//     with the RMSNorm of the input and the consumer's element-wise step fused in:
//   gemv_bf16          out[r]  = s · Σ_k W[r,k] · g[k] · x[k] + bias[r]      (q/k/v, logits)
//   gemv_bf16_residual out[r] += Σ_k W[r,k] · x[k]                          (wo, w_down: residual add)
//   gemv_bf16_residual_r1  the same with one row per warp: grid ceil(rows / WARPS)
//   gemv_bf16_swiglu   out[r]  = silu(s · Σ_k G[r,k] g[k] x[k]) · (s · Σ_k U[r,k] g[k] x[k])
//                      with W = [G; U] stacked (2 · rows, K)                (w_gate, w_up)
//   gemv_bf16_qkv_rope the q/k/v projection (as gemv_bf16) with rope_kv.cu fused into the epilogue:
//                      W's q and k rows are pair-ordered (in each head, row 2m holds rotary element
//                      a(m), row 2m + 1 element b(m); DeviceWeights stacks them so), so the two rows a
//                      warp owns are one rotary pair: rotated q goes to out (heads·headDim, original
//                      order), rotated k and v to row position[0] of the layer's KV cache.
//   where s = 1 / sqrt(mean(x²) + eps) and g the norm weight when `norm` is not null, else s = g = 1;
//   `bias` may be null.
// Shapes: W (rows, K) bf16 row-major (or (2 · rows, K) for swiglu), K a multiple of 8;
//         x (K) f32; norm (K) f32 or null; bias (rows) f32 or null; out (rows) f32.
// Launch: grid ceil(rows / (WARPS · ROWS)), block WARPS · 32 = 128.
// Why this shape: decode is bound by reading W once. Each warp owns ROWS rows; every lane loads
//   16 bytes (8 bf16) per row per step, a warp 512 contiguous bytes, UNROLL steps in flight before
//   the first use; W bypasses L1 (read once), x comes from L1/L2. The norm costs one more warp sum
//   (Σx² while x streams past), which is cheaper than a separate kernel and launch.
// Programmatic dependent launch: in a decode graph each GEMV is launched so that it may be set up
//   while the kernel before it finishes (CudaContext, cuLaunchKernelEx); it waits for that kernel's
//   results (griddepcontrol.wait) before it reads x or writes anything. Launched plainly, the wait does
//   nothing. Two further steps are built in but off, since they measured slower on an H200
//   (scripts/device/decode-variants.sh, 1B shapes: 1,052 tok/s without, 913 with PDL_TRIGGER_EARLY, 862
//   with both): PDL_TRIGGER_EARLY lets the next kernel's blocks in as soon as every block of this one
//   has started, PDL_PREFETCH asks L2 for the first weight chunks before the wait (weights are never
//   written, so that is safe).
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/gemv.cu -o gemv.ptx (scripts/build-kernels.sh).
// CPU reference: Gemv.reference (src/main/java/ai/ensemble/engine/cuda).

#define WARPS 4
#define ROWS 2 // rows per warp; gemv_bf16_residual_r1 uses 1 (twice the warps, for small matrices)
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

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

template <int MODE, int ROWS_T = ROWS>
__device__ __forceinline__ void gemv(const uint4* __restrict__ W, const float* __restrict__ x,
                                     const float* __restrict__ norm, float eps, const float* __restrict__ bias,
                                     float* out, int rows, int K, Rope rope = Rope()) {
    constexpr int NR = MODE == SWIGLU ? 2 * ROWS_T : ROWS_T; // rows dotted per warp
    const int lane = threadIdx.x & 31;
    const int firstRow = (blockIdx.x * WARPS + (threadIdx.x >> 5)) * ROWS_T;
    if (firstRow >= rows) {
        return;
    }
    const int chunks = K >> 3; // 16-byte chunks per row
    const uint4* rowPtr[NR];
#pragma unroll
    for (int r = 0; r < NR; r++) {
        int row = min(firstRow + (r % ROWS_T), rows - 1); // clamped: loads stay in bounds, stores are skipped
        long long matrixRow = r < ROWS_T ? row : (long long) rows + row;
        rowPtr[r] = W + matrixRow * chunks;
    }
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
                float xv[8];
                const float4* x4 = reinterpret_cast<const float4*>(x) + 2 * c;
                float4 a = x4[0], b = x4[1];
                xv[0] = a.x; xv[1] = a.y; xv[2] = a.z; xv[3] = a.w;
                xv[4] = b.x; xv[5] = b.y; xv[6] = b.z; xv[7] = b.w;
                if (norm != nullptr) {
                    const float4* g4 = reinterpret_cast<const float4*>(norm) + 2 * c;
                    float4 ga = g4[0], gb = g4[1];
                    float gv[8] = {ga.x, ga.y, ga.z, ga.w, gb.x, gb.y, gb.z, gb.w};
#pragma unroll
                    for (int i = 0; i < 8; i++) {
                        sumOfSquares = fmaf(xv[i], xv[i], sumOfSquares);
                        xv[i] *= gv[i];
                    }
                }
#pragma unroll
                for (int r = 0; r < NR; r++) {
                    acc[r] += dot8(w[u][r], xv);
                }
            }
        }
    }
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

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_bf16(
        const uint4* W, const float* x, const float* norm, float eps, const float* bias, float* out, int rows, int K) {
    gemv<STORE>(W, x, norm, eps, bias, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_bf16_residual(
        const uint4* W, const float* x, float* out, int rows, int K) {
    gemv<RESIDUAL>(W, x, nullptr, 0.f, nullptr, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_bf16_swiglu(
        const uint4* W, const float* x, const float* norm, float eps, float* out, int rows, int K) {
    gemv<SWIGLU>(W, x, norm, eps, nullptr, out, rows, K);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_bf16_qkv_rope(
        const uint4* W, const float* x, const float* norm, float eps, const float* bias, float* q, int rows, int K,
        const float* invFreq, const int* position, float* keyCache, float* valueCache,
        int heads, int kvHeads, int headDim, int interleaved) {
    Rope rope{invFreq, position, keyCache, valueCache, heads, kvHeads, headDim, interleaved};
    gemv<QKV_ROPE>(W, x, norm, eps, bias, q, rows, K, rope);
}

extern "C" __global__ void __launch_bounds__(WARPS * 32) gemv_bf16_residual_r1(
        const uint4* W, const float* x, float* out, int rows, int K) {
    gemv<RESIDUAL, 1>(W, x, nullptr, 0.f, nullptr, out, rows, K);
}
