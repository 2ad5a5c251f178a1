// Op: embedding gather, the first step of a decode. x[i] = float(table[token * dim + i]).
// Shapes: table (vocab, dim) bf16; token (1) int32 in device memory (so a captured CUDA graph
//         never needs updating); x (dim) f32.
// Launch: grid ceil(dim / 256), block 256.
// Compile: nvcc -ptx -arch=sm_90 -O3 src/main/cuda/embedding.cu -o embedding.ptx (scripts/build-kernels.sh
//          writes it to src/main/resources/ai/ensemble/engine/cuda/embedding.ptx with this file's SHA-256).
// CPU reference: EmbeddingGather.reference (src/main/java/ai/ensemble/engine/cuda).

extern "C" __global__ void embedding_gather(const unsigned short* table, const int* token, float* x, int dim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < dim) {
        // bf16 is the upper half of an f32
        x[i] = __uint_as_float((unsigned int) table[(long long) token[0] * dim + i] << 16);
    }
}
