// Op: the per-sequence steps of a batched decode over a paged KV cache (see BatchDecoder.java).
//   B rows (a decode token of a sequence, or a prompt token being prefilled) are computed at once; sequence b is at position positions[b] and its cache rows live
//   in fixed-size blocks: position p is row blockTable[b · maxBlocks + p / blockSize] · blockSize
//   + p % blockSize of the layer's pool. The matmuls around these are cuBLAS GEMMs (n = B).
//   rope_kv_paged     q and k of row b rotated at positions[b] (as rope_kv_prefill in prefill.cu, bias
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

extern "C" __global__ void gather_rows(const float* x, const int* rows, float* out, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < dim) {
        out[(long long) blockIdx.y * dim + i] = x[(long long) rows[blockIdx.y] * dim + i];
    }
}
