package ai.ensemble.engine.cpu;

import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.FloatTensor;

/** Checks that every weight has the size the config implies, before anything runs. */
final class WeightShapes {

    private WeightShapes() {
    }

    static void check(ModelConfig config, LlamaWeights weights) {
        if (config.heads() % config.kvHeads() != 0) {
            throw new IllegalArgumentException("heads (" + config.heads() + ") must be a multiple of kvHeads (" + config.kvHeads() + ")");
        }
        if (weights.layers().size() != config.layers()) {
            throw new IllegalArgumentException("config has " + config.layers() + " layers, weights have " + weights.layers().size());
        }
        long dim = config.dim();
        long hidden = config.hiddenDim();
        long queryDim = (long) config.heads() * config.headDim();
        long kvDim = (long) config.kvHeads() * config.headDim();
        checkSize("token_embd", weights.tokenEmbedding(), config.vocabSize() * dim);
        checkSize("output", weights.output(), config.vocabSize() * dim);
        checkSize("output_norm", weights.outputNorm(), dim);
        for (int l = 0; l < config.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            String prefix = "layers." + l + ".";
            checkSize(prefix + "attention_norm", layer.attentionNorm(), dim);
            checkSize(prefix + "wq", layer.wq(), queryDim * dim);
            checkSize(prefix + "wk", layer.wk(), kvDim * dim);
            checkSize(prefix + "wv", layer.wv(), kvDim * dim);
            checkSize(prefix + "wo", layer.wo(), dim * queryDim);
            checkSize(prefix + "ffn_norm", layer.ffnNorm(), dim);
            checkSize(prefix + "w_gate", layer.wGate(), hidden * dim);
            checkSize(prefix + "w_up", layer.wUp(), hidden * dim);
            checkSize(prefix + "w_down", layer.wDown(), dim * hidden);
            if (layer.bq() != null) {
                checkSize(prefix + "bq", layer.bq(), queryDim);
                checkSize(prefix + "bk", layer.bk(), kvDim);
                checkSize(prefix + "bv", layer.bv(), kvDim);
            }
        }
    }

    private static void checkSize(String name, FloatTensor tensor, long expected) {
        if (tensor == null) {
            throw new IllegalArgumentException("weight " + name + " is missing");
        }
        if (tensor.size() != expected) {
            throw new IllegalArgumentException("weight " + name + " has " + tensor.size() + " elements, the config needs " + expected);
        }
    }
}
