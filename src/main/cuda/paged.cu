// Op: the per-sequence steps of a batched decode over a paged KV cache (see BatchDecoder.java).
//   B rows (a decode token of a sequence, or a prompt token being prefilled) are computed at once; sequence b is at position positions[b] and its cache rows live
//   in fixed-size blocks: position p is row blockTable[b · maxBlocks + p / blockSize] · blockSize
//   + p % blockSize of the layer's pool. The matmuls around these are cuBLAS GEMMs (n = B).
//   rope_kv_paged     q and k of row b rotated at positions[b] (rope_kv_row of rope_rows.cuh, shared with rope_kv_prefill; bias
//                     added first when not null, pairOrdered qkv rows); q to q (B, heads·headDim), k and v
//                     to the pool row of positions[b].  grid (ceil(((heads+kvHeads)·headDim/2 + kvDim)/256), B), block 256
//   (attention over the paged pool is attention_paged in attention.cu, the greedy choice per row
//   argmax_advance in argmax.cu: the same code as batch-1 decode)
//   gather_rows       out[i] = x[rows[i]] (dim f32 rows): the rows whose logits are wanted.  grid (ceil(dim/256), n), block 256
//   A prompt is prefilled by the same kernels: its T tokens are T rows at positions start..start+T-1 sharing
//   one block table; every row's k and v are written (rope_kv_paged) before any row attends, so each row
//   attends causally to the prompt rows before it.
// Shapes: qkv (B, qkvRows) f32; positions (B) int32; blockTable (B, maxBlocks) int32;
//         keyPool, valuePool (blocks · blockSize, kvDim) f32, this layer's slice; headDim ≤ 256.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/paged.cu -o paged.ptx (scripts/build-kernels.sh).
// CPU reference: the batch-1 decode graph (BatchSchedulerTest compares batched and batch-1 tokens).

#include "rope_rows.cuh"

__device__ __forceinline__ long long pool_row(const int* table, int blockSize, int p) {
    return (long long) table[p / blockSize] * blockSize + (p % blockSize);
}

extern "C" __global__ void rope_kv_paged(const float* qkv, const float* bias, const float* invFreq,
                                         const int* positions, const int* blockTable, int maxBlocks, int blockSize,
                                         float* q, float* keyPool, float* valuePool,
                                         int heads, int kvHeads, int headDim, int interleaved, int pairOrdered) {
    const int t = blockIdx.y;
    const int kvDim = kvHeads * headDim;
    const int queryDim = heads * headDim;
    const int pos = positions[t];
    const long long row = pool_row(blockTable + (long long) t * maxBlocks, blockSize, pos);
    rope_kv_row(qkv + (long long) t * (queryDim + 2 * kvDim), bias, invFreq, pos, blockIdx.x * blockDim.x + threadIdx.x,
                q + (long long) t * queryDim, keyPool + row * kvDim, valuePool + row * kvDim,
                heads, kvHeads, headDim, interleaved, pairOrdered);
}

extern "C" __global__ void gather_rows(const float* x, const int* rows, float* out, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < dim) {
        out[(long long) blockIdx.y * dim + i] = x[(long long) rows[blockIdx.y] * dim + i];
    }
}
