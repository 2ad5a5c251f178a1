package ai.ensemble.engine.cli;

import java.util.SplittableRandom;

import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cpu.KvCache;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.sampling.Sampler;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * Prefill and decode timings of one sequence (batch 1): a prompt of fixed pseudo-random ids, then
 * greedy decode steps that never stop early. A short warm-up sequence runs first so that the JIT
 * has compiled the kernels. Decode at batch 1 reads every weight once per token, so weight bytes
 * per token × tokens/s is the memory bandwidth the decode achieves.
 */
final class Benchmark {

    record Result(int promptTokens, double prefillMillis, int decodeTokens, double decodeSeconds, long weightBytesPerToken) {

        double prefillTokensPerSecond() {
            return promptTokens / (prefillMillis / 1e3);
        }

        double decodeTokensPerSecond() {
            return decodeTokens / decodeSeconds;
        }

        double weightGigabytesPerSecond() {
            return weightBytesPerToken * decodeTokensPerSecond() / 1e9;
        }
    }

    private Benchmark() {
    }

    static Result run(Forward forward, LlamaWeights weights, int promptLength, int generateLength, int warmupSteps) {
        ModelConfig config = forward.config();
        if (promptLength + generateLength > config.contextLength()) {
            throw new Arguments.UsageException("--prompt-len + --gen-len (" + (promptLength + generateLength)
                    + ") exceed the model's context of " + config.contextLength());
        }
        int[] prompt = new SplittableRandom(42).ints(promptLength, 0, config.vocabSize()).toArray();
        if (warmupSteps > 0) {
            KvCache warm = forward.newCache(Math.min(8, promptLength) + warmupSteps);
            int[] warmPrompt = java.util.Arrays.copyOf(prompt, Math.min(8, promptLength));
            float[] logits = forward.prefill(warmPrompt, 0, warm);
            for (int i = 0; i < warmupSteps; i++) {
                logits = forward.forward(Sampler.argmax(logits), warmPrompt.length + i, warm);
            }
        }
        KvCache cache = forward.newCache(promptLength + generateLength);
        long start = System.nanoTime();
        float[] logits = forward.prefill(prompt, 0, cache);
        double prefillMillis = (System.nanoTime() - start) / 1e6;
        long decodeStart = System.nanoTime();
        for (int i = 0; i < generateLength; i++) {
            logits = forward.forward(Sampler.argmax(logits), promptLength + i, cache);
        }
        double decodeSeconds = (System.nanoTime() - decodeStart) / 1e9;
        return new Result(promptLength, prefillMillis, generateLength, decodeSeconds, weightBytesPerToken(weights));
    }

    /** Bytes of weights one decode step reads: every matrix and norm, and one row of the embedding table. */
    static long weightBytesPerToken(LlamaWeights weights) {
        long bytes = bytes(weights.outputNorm()) + bytes(weights.output());
        long embeddingRows = weights.tokenEmbedding().size() / weights.outputNorm().size();
        bytes += bytes(weights.tokenEmbedding()) / embeddingRows;
        for (LlamaWeights.Layer layer : weights.layers()) {
            for (FloatTensor tensor : new FloatTensor[] {layer.attentionNorm(), layer.wq(), layer.wk(), layer.wv(), layer.bq(),
                    layer.bk(), layer.bv(), layer.wo(), layer.ffnNorm(), layer.wGate(), layer.wUp(), layer.wDown()}) {
                bytes += bytes(tensor);
            }
        }
        return bytes;
    }

    private static long bytes(FloatTensor tensor) {
        return tensor == null ? 0 : tensor.type().bytesFor(tensor.size());
    }
}
