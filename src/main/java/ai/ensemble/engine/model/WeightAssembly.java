package ai.ensemble.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.ensemble.engine.model.WeightNames.Role;
import ai.ensemble.engine.tensor.FloatTensor;

/** Collects a model's tensors by name and checks every shape against the configuration. */
final class WeightAssembly {

    private final ModelConfig config;
    private final TensorSource source;
    private final WeightNames names;

    private WeightAssembly(ModelConfig config, TensorSource source, WeightNames names) {
        this.config = config;
        this.source = source;
        this.names = names;
    }

    static LlamaWeights assemble(ModelConfig config, TensorSource source, WeightNames names, FloatTensor ropeFrequencyFactors) {
        return new WeightAssembly(config, source, names).assemble(ropeFrequencyFactors);
    }

    private LlamaWeights assemble(FloatTensor ropeFrequencyFactors) {
        int dim = config.dim();
        int queryDim = config.heads() * config.headDim();
        int kvDim = config.kvHeads() * config.headDim();
        int hidden = config.hiddenDim();
        FloatTensor embedding = tensor(names.tokenEmbedding(), config.vocabSize(), dim);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            boolean bias = config.attentionBias();
            layers.add(new LlamaWeights.Layer(
                    tensor(names.layer(l, Role.ATTENTION_NORM), dim),
                    tensor(names.layer(l, Role.WQ), queryDim, dim),
                    tensor(names.layer(l, Role.WK), kvDim, dim),
                    tensor(names.layer(l, Role.WV), kvDim, dim),
                    bias ? tensor(names.layer(l, Role.BQ), queryDim) : null,
                    bias ? tensor(names.layer(l, Role.BK), kvDim) : null,
                    bias ? tensor(names.layer(l, Role.BV), kvDim) : null,
                    tensor(names.layer(l, Role.WO), dim, queryDim),
                    tensor(names.layer(l, Role.FFN_NORM), dim),
                    tensor(names.layer(l, Role.GATE), hidden, dim),
                    tensor(names.layer(l, Role.UP), hidden, dim),
                    tensor(names.layer(l, Role.DOWN), dim, hidden)));
        }
        FloatTensor output = config.tiedEmbeddings() ? embedding : tensor(names.output(), config.vocabSize(), dim);
        if (ropeFrequencyFactors != null && ropeFrequencyFactors.size() != config.headDim() / 2) {
            throw new IllegalArgumentException("rope frequency factors hold " + ropeFrequencyFactors.size()
                    + " values, expected headDim / 2 = " + config.headDim() / 2);
        }
        return new LlamaWeights(embedding, layers, tensor(names.outputNorm(), dim), output, ropeFrequencyFactors);
    }

    private FloatTensor tensor(String name, long... expectedShape) {
        if (!source.contains(name)) {
            throw new IllegalArgumentException("the model has no tensor '" + name + "'");
        }
        long[] shape = source.shape(name);
        if (!Arrays.equals(shape, expectedShape)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", the configuration needs " + Arrays.toString(expectedShape));
        }
        return source.tensor(name);
    }
}
