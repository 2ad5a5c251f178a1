package ai.ensemble.engine.model;

import java.io.IOException;
import java.nio.file.Path;

import ai.ensemble.engine.model.WeightNames.Role;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * Writes a loaded Hugging Face model as GGUF the way llama.cpp's {@code convert_hf_to_gguf.py}
 * does: llama-style q/k rows permuted for interleaved rotary pairs, llama3 rope scaling as a
 * {@code rope_freqs.weight} tensor, norms and biases in F32, matrices in the requested type (F32
 * where a row is not a whole number of that type's blocks). Mistral is written as {@code llama},
 * as llama.cpp does. The tokenizer is not converted.
 */
public final class GgufConverter {

    private GgufConverter() {
    }

    public static void convert(LoadedModel model, TensorType matrixType, Path file) throws IOException {
        ModelConfig config = model.config();
        if (config.ropeStyle() != RopeStyle.HALF) {
            throw new IllegalArgumentException("only Hugging Face (rotate-half) models can be converted");
        }
        boolean permute = !config.architecture().equals("qwen2");
        String arch = permute ? "llama" : config.architecture();
        GgufWriter writer = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", "converted by Ensemble")
                .putUInt32(arch + ".context_length", config.contextLength())
                .putUInt32(arch + ".embedding_length", config.dim())
                .putUInt32(arch + ".block_count", config.layers())
                .putUInt32(arch + ".feed_forward_length", config.hiddenDim())
                .putUInt32(arch + ".attention.head_count", config.heads())
                .putUInt32(arch + ".attention.head_count_kv", config.kvHeads())
                .putUInt32(arch + ".attention.key_length", config.headDim())
                .putUInt32(arch + ".attention.value_length", config.headDim())
                .putUInt32(arch + ".rope.dimension_count", config.headDim())
                .putUInt32(arch + ".vocab_size", config.vocabSize())
                .putFloat32(arch + ".attention.layer_norm_rms_epsilon", config.rmsNormEps())
                .putFloat32(arch + ".rope.freq_base", config.ropeTheta());
        if (config.bosToken() >= 0) {
            writer.putUInt32("tokenizer.ggml.bos_token_id", config.bosToken());
        }
        if (!config.eosTokens().isEmpty()) {
            writer.putUInt32("tokenizer.ggml.eos_token_id", config.eosTokens().getFirst());
        }
        LlamaWeights weights = model.weights();
        WeightNames names = WeightNames.GGUF;
        int dim = config.dim();
        int queryDim = config.heads() * config.headDim();
        int kvDim = config.kvHeads() * config.headDim();
        matrix(writer, names.tokenEmbedding(), weights.tokenEmbedding(), matrixType, config.vocabSize(), dim);
        if (weights.ropeFrequencyFactors() != null) {
            vector(writer, GgufModels.ROPE_FREQUENCIES, weights.ropeFrequencyFactors());
        }
        for (int l = 0; l < config.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            vector(writer, names.layer(l, Role.ATTENTION_NORM), layer.attentionNorm());
            float[] wq = read(layer.wq());
            float[] wk = read(layer.wk());
            float[] bq = layer.bq() == null ? null : read(layer.bq());
            float[] bk = layer.bk() == null ? null : read(layer.bk());
            if (permute) {
                wq = permuteRows(wq, config.heads(), config.headDim(), dim);
                wk = permuteRows(wk, config.kvHeads(), config.headDim(), dim);
                bq = bq == null ? null : permuteRows(bq, config.heads(), config.headDim(), 1);
                bk = bk == null ? null : permuteRows(bk, config.kvHeads(), config.headDim(), 1);
            }
            writer.addTensor(names.layer(l, Role.WQ), typeFor(matrixType, dim), wq, queryDim, dim);
            writer.addTensor(names.layer(l, Role.WK), typeFor(matrixType, dim), wk, kvDim, dim);
            matrix(writer, names.layer(l, Role.WV), layer.wv(), matrixType, kvDim, dim);
            if (bq != null) {
                writer.addTensor(names.layer(l, Role.BQ), TensorType.F32, bq, queryDim);
                writer.addTensor(names.layer(l, Role.BK), TensorType.F32, bk, kvDim);
                vector(writer, names.layer(l, Role.BV), layer.bv());
            }
            matrix(writer, names.layer(l, Role.WO), layer.wo(), matrixType, dim, queryDim);
            vector(writer, names.layer(l, Role.FFN_NORM), layer.ffnNorm());
            matrix(writer, names.layer(l, Role.GATE), layer.wGate(), matrixType, config.hiddenDim(), dim);
            matrix(writer, names.layer(l, Role.UP), layer.wUp(), matrixType, config.hiddenDim(), dim);
            matrix(writer, names.layer(l, Role.DOWN), layer.wDown(), matrixType, dim, config.hiddenDim());
        }
        vector(writer, names.outputNorm(), weights.outputNorm());
        if (!config.tiedEmbeddings()) {
            matrix(writer, names.output(), weights.output(), matrixType, config.vocabSize(), dim);
        }
        writer.write(file);
    }

    /**
     * llama.cpp's {@code LlamaModel.permute}: within each head, row {@code j·half + i} (rotate-half
     * pair member j of frequency i) moves to row {@code 2i + j}, so adjacent rows form the pairs.
     */
    static float[] permuteRows(float[] rows, int heads, int headDim, int cols) {
        float[] permuted = new float[rows.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * headDim + j * half + i;
                    int to = h * headDim + 2 * i + j;
                    System.arraycopy(rows, from * cols, permuted, to * cols, cols);
                }
            }
        }
        return permuted;
    }

    private static TensorType typeFor(TensorType requested, int cols) {
        return cols % requested.blockSize() == 0 ? requested : TensorType.F32;
    }

    private static void matrix(GgufWriter writer, String name, FloatTensor tensor, TensorType type, int rows, int cols) {
        writer.addTensor(name, typeFor(type, cols), read(tensor), rows, cols);
    }

    private static void vector(GgufWriter writer, String name, FloatTensor tensor) {
        writer.addTensor(name, TensorType.F32, read(tensor), tensor.size());
    }

    private static float[] read(FloatTensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.copyTo(0, values, 0, values.length);
        return values;
    }
}
