// Shared by the multi-row kernels rope_kv_prefill (prefill.cu) and rope_kv_paged (paged.cu): one thread's
// part of row t of a [q | k | v] block, rotated at position pos. Thread j < (heads + kvHeads)·headDim/2
// rotates one (a, b) pair of a q or k head (bias added first when not null; pairOrdered rows hold each
// pair side by side); the next kvDim threads copy v. q goes to qRow, k and v to the cache rows kRow and
// vRow that the caller chose (a contiguous cache or a paged pool).

__device__ __forceinline__ void rope_kv_row(const float* in, const float* bias, const float* invFreq, int pos, int j,
                                            float* qRow, float* kRow, float* vRow,
                                            int heads, int kvHeads, int headDim, int interleaved, int pairOrdered) {
    const int half = headDim / 2;
    const int pairs = (heads + kvHeads) * half;
    const int kvDim = kvHeads * headDim;
    const int queryDim = heads * headDim;
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
        float* out = h < heads ? qRow + h * headDim : kRow + (h - heads) * headDim;
        out[a] = x * c - y * s;
        out[b] = y * c + x * s;
    } else if (j < pairs + kvDim) {
        int i = j - pairs;
        float v = in[queryDim + kvDim + i];
        if (bias != nullptr) {
            v += bias[queryDim + kvDim + i];
        }
        vRow[i] = v;
    }
}
