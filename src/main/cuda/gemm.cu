// Op: the GEMM of prefill and batched decode on the tensor cores, for hosts without cuBLAS 13:
//   C (n, m) f32 row-major = (accumulate ? C : 0) + X (n, k) · Wᵀ, with W (m, k) and X (n, k) BF16
//   row-major, C's rows ldc ≥ m floats apart (the same contract as Cublas.matmulRowMajor, so the
//   batched paths take either, see Gemm.java).
// Shapes: k a multiple of 8 (16-byte loads); m, n any (partial tiles are zero-padded and masked).
// Launch: grid (ceil(m / 64), ceil(n / 64)), block 128 (4 warps).
// Why this shape: a block computes a 64 × 64 tile of C; per step of 32 along k it stages the X and W
//   tiles in shared memory (16-byte loads, zero-filled outside the matrices; rows padded by 8
//   elements against bank conflicts), and each warp multiplies a 32 × 32 quarter as 2 × 2 WMMA
//   16×16×16 BF16 fragments with f32 accumulators. The tile goes back through shared memory so that
//   edges are masked and accumulation is a plain read-add-write. Simple rather than peak: no
//   double buffering or asynchronous copies; it is the fallback, and CudaBench reports its rate.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/gemm.cu -o gemm.ptx (scripts/build-kernels.sh).
// CPU reference: TensorCoreGemm.reference (src/main/java/ai/ensemble/engine/cuda).

#include <mma.h>
#include <cuda_bf16.h>

using namespace nvcuda;

#define BM 64 // rows of X (tokens) per block
#define BN 64 // rows of W (outputs) per block
#define BK 32 // k per shared-memory step
#define PAD 8

__device__ __forceinline__ void stage(__nv_bfloat16 (*tile)[BK + PAD], const __nv_bfloat16* source, int first, int limit,
                                      int k0, int k) {
    for (int v = threadIdx.x; v < 64 * BK / 8; v += blockDim.x) {
        int r = v / (BK / 8);
        int c = (v % (BK / 8)) * 8;
        int row = first + r;
        int col = k0 + c;
        uint4 value = make_uint4(0, 0, 0, 0);
        if (row < limit && col < k) {
            value = *reinterpret_cast<const uint4*>(source + (long long) row * k + col);
        }
        *reinterpret_cast<uint4*>(&tile[r][c]) = value;
    }
}

extern "C" __global__ void __launch_bounds__(128) gemm_bf16_tc(
        const __nv_bfloat16* W, const __nv_bfloat16* X, float* C, int m, int n, int k, int ldc, int accumulate) {
    __shared__ __align__(32) __nv_bfloat16 xs[BM][BK + PAD];
    __shared__ __align__(32) __nv_bfloat16 ws[BN][BK + PAD];
    __shared__ __align__(32) float cs[BM][BN + 4];
    const int firstToken = blockIdx.y * BM;
    const int firstOutput = blockIdx.x * BN;
    const int warp = threadIdx.x >> 5;
    const int wr = (warp >> 1) * 32; // this warp's quarter: rows wr.., columns wc..
    const int wc = (warp & 1) * 32;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::fill_fragment(acc[i][j], 0.f);
        }
    }
    for (int k0 = 0; k0 < k; k0 += BK) {
        stage(xs, X, firstToken, n, k0, k);
        stage(ws, W, firstOutput, m, k0, k);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> b[2];
#pragma unroll
            for (int i = 0; i < 2; i++) {
                wmma::load_matrix_sync(a[i], &xs[wr + 16 * i][kk], BK + PAD);
                wmma::load_matrix_sync(b[i], &ws[wc + 16 * i][kk], BK + PAD); // Wᵀ: W's rows are B's columns
            }
#pragma unroll
            for (int i = 0; i < 2; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(&cs[wr + 16 * i][wc + 16 * j], acc[i][j], BN + 4, wmma::mem_row_major);
        }
    }
    __syncthreads();
    for (int e = threadIdx.x; e < BM * BN; e += blockDim.x) {
        int r = e / BN;
        int c = e % BN;
        int token = firstToken + r;
        int output = firstOutput + c;
        if (token < n && output < m) {
            float* target = C + (long long) token * ldc + output;
            *target = accumulate ? *target + cs[r][c] : cs[r][c];
        }
    }
}
