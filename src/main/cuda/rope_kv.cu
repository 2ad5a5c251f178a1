// Op: rotary position embedding of q and k for one token, and the write of k and v into the KV cache.
//   For each head h of q and of k and each frequency i in [0, headDim / 2):
//     angle = position · invFreq[i];  (a, b) = (i, i + headDim/2) for HALF, (2i, 2i + 1) for INTERLEAVED
//     v[a], v[b] = v[a]·cos − v[b]·sin, v[b]·cos + v[a]·sin
//   q is rotated in place; the rotated k and the untouched v go to row `position` of the layer's cache.
//   invFreq already holds the model's frequency factors / llama3 scaling (cpu.Rope.inverseFrequencies on the host).
// Shapes: qkv (heads·headDim + 2·kvHeads·headDim) f32 = [q | k | v]; invFreq (headDim / 2) f32;
//         position (1) int32 in device memory; keyCache, valueCache (capacity, kvHeads·headDim) f32,
//         this layer's slice.
// Launch: grid ceil(((heads + kvHeads) · headDim / 2 + kvHeads · headDim) / 256), block 256.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/rope_kv.cu -o rope_kv.ptx (scripts/build-kernels.sh).
// CPU reference: RopeKvWrite.reference (src/main/java/ai/ensemble/engine/cuda).

extern "C" __global__ void rope_kv_write(float* qkv, const float* invFreq, const int* position,
                                         float* keyCache, float* valueCache,
                                         int heads, int kvHeads, int headDim, int interleaved) {
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    const int half = headDim / 2;
    const int pairs = (heads + kvHeads) * half;
    const int kvDim = kvHeads * headDim;
    const int queryDim = heads * headDim;
    const int pos = position[0];
    if (t < pairs) {
        int h = t / half;
        int i = t - h * half;
        int a = interleaved ? 2 * i : i;
        int b = interleaved ? 2 * i + 1 : i + half;
        float angle = (float) pos * invFreq[i];
        float s, c;
        sincosf(angle, &s, &c);
        float* head = qkv + h * headDim; // k heads follow the q heads
        float x = head[a];
        float y = head[b];
        float ra = x * c - y * s;
        float rb = y * c + x * s;
        head[a] = ra;
        head[b] = rb;
        if (h >= heads) {
            float* row = keyCache + (long long) pos * kvDim + (h - heads) * headDim;
            row[a] = ra;
            row[b] = rb;
        }
    } else if (t < pairs + kvDim) {
        int i = t - pairs;
        valueCache[(long long) pos * kvDim + i] = qkv[queryDim + kvDim + i];
    }
}
