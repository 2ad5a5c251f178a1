package ai.ensemble.engine.cuda;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.demo.RandomWeights;
import ai.ensemble.engine.generate.GenerationParameters;
import ai.ensemble.engine.generate.Generator;
import ai.ensemble.engine.generate.TextDecoder;
import ai.ensemble.engine.model.GgufConverter;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.ModelLoader;
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.ensemble.engine.cuda.CudaKernelsTest.error;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole cuda forward pass on quantised and half-precision weights against the CPU engine on the
 * same weights. The test fixtures (llama-tiny, qwen2-tiny) are converted to GGUF Q8_0 and F16 by the
 * engine's own GgufConverter, as llama.cpp would write them: in Q8_0 the rows of 176 (w_down) are not
 * whole blocks and stay F32, so those models mix Q8_0, F32 (and F32 norms) like real files; the
 * llama conversion permutes q/k rows (INTERLEAVED rope), qwen2 keeps HALF rope with q/k/v biases and
 * an untied output. Both engines compute in f32 on the same decoded weights, so only summation order
 * differs: logits within 1e-4 (max |gpu − cpu| / max(1, max |cpu|) per row, the BF16 tests' bound)
 * on the decode path, the batched prefill (split hi + lo GEMM inputs: dequantised weights as a hi +
 * lo BF16 pair) and batched decode; 5e-2 with plain BF16 GEMM inputs; greedy tokens identical.
 */
@ExtendWith(RequiresGpu.class)
class CudaQuantisedForwardTest {

    @TempDir
    static Path folder;

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"llama-tiny-f32, Q8_0", "qwen2-tiny-f32, Q8_0", "llama-tiny-bf16, Q8_0", "llama-tiny-f32, F16", "qwen2-tiny-f32, F16"})
    void convertedFixtureMatchesTheCpuEngineOnTheSameWeights(String fixture, TensorType type) throws Exception {
        Path file = folder.resolve(fixture + "-" + type + ".gguf");
        try (LoadedModel hf = ModelLoader.load(fixture(fixture))) {
            GgufConverter.convert(hf, type, file);
        }
        try (LoadedModel model = ModelLoader.load(file)) {
            ModelConfig config = model.config();
            assertThat(model.weights().layers().getFirst().wq().type()).isEqualTo(type);
            System.out.printf("%s as %s: wq %s, w_down %s, embedding %s, output %s%n", fixture, type,
                    model.weights().layers().getFirst().wq().type(), model.weights().layers().getFirst().wDown().type(),
                    model.weights().tokenEmbedding().type(), model.weights().output().type());
            int[] prompt = IntStream.range(0, 40).map(i -> (i * 37 + 11) % config.vocabSize()).toArray();
            compare(fixture + " " + type, config, model.weights(), prompt, 24);
        }
    }

    /** The demo model's shapes (dim 256, MLP 704: every matrix whole Q8_0 blocks), 600 tokens: two prefill chunks. */
    @Test
    void q8DemoModelMatchesTheCpuEngineAcrossPrefillChunks() {
        ModelConfig config = DemoModel.config();
        LlamaWeights weights = RandomWeights.create(config, TensorType.Q8_0, 9, 0.1f);
        int[] prompt = IntStream.range(0, 600).map(i -> (i * 53 + 7) % config.vocabSize()).toArray();
        compare("demo Q8_0", config, weights, prompt, 32);
    }

    /**
     * Continuous batching (BatchDecoder's GEMMs over dequantised Q8_0, sequences joining midway, prompt rows in
     * the steps) gives every sequence exactly the CPU engine's greedy tokens on the same Q8_0 weights.
     */
    @Test
    void batchedDecodeOnQ8WeightsEqualsTheCpuEngine() throws Exception {
        Path file = folder.resolve("llama-batch-q8.gguf");
        try (LoadedModel hf = ModelLoader.load(fixture("llama-tiny-f32"))) {
            GgufConverter.convert(hf, TensorType.Q8_0, file);
        }
        for (boolean demo : new boolean[] {false, true}) {
            LoadedModel loaded = demo ? null : ModelLoader.load(file);
            try {
                ModelConfig config = demo ? DemoModel.config() : loaded.config();
                LlamaWeights weights = demo ? RandomWeights.create(config, TensorType.Q8_0, 11, 0.1f) : loaded.weights();
                int[] lengths = {1, 7, 20, 33, 50, 16, 3, 64, 17};
                int maxTokens = 24;
                Set<Integer> stops = new HashSet<>(config.eosTokens());
                CpuForward cpu = new CpuForward(config, weights);
                List<int[]> prompts = new ArrayList<>();
                List<int[]> expected = new ArrayList<>();
                for (int s = 0; s < lengths.length; s++) {
                    final int seed = s;
                    int[] prompt = IntStream.range(0, lengths[s]).map(i -> (i * 31 + seed * 101 + 5) % config.vocabSize()).toArray();
                    prompts.add(prompt);
                    expected.add(greedy(cpu, prompt, maxTokens));
                }
                try (CudaForward gpu = new CudaForward(config, weights);
                     BatchScheduler scheduler = new BatchScheduler(gpu, new BatchScheduler.Options(4, 4, 200, 16, 128))) {
                    List<BatchSchedulerTest.Collect> results = new ArrayList<>();
                    for (int s = 0; s < 5; s++) {
                        results.add(submit(scheduler, prompts.get(s), maxTokens, stops));
                    }
                    for (int i = 0; i < 5; i++) {
                        scheduler.step();
                    }
                    for (int s = 5; s < prompts.size(); s++) {
                        results.add(submit(scheduler, prompts.get(s), maxTokens, stops));
                    }
                    scheduler.runUntilIdle();
                    for (int s = 0; s < prompts.size(); s++) {
                        System.out.println((demo ? "demo" : "llama-tiny") + " Q8_0 batched " + Arrays.toString(results.get(s).ids())
                                + ", cpu " + Arrays.toString(expected.get(s)));
                        assertThat(results.get(s).ids()).as("sequence %d (prompt of %d)", s, lengths[s]).containsExactly(expected.get(s));
                    }
                    System.out.println("batched Q8_0 decode: " + scheduler.steps() + " steps, graphs " + scheduler.usesGraphs());
                }
            } finally {
                if (loaded != null) {
                    loaded.close();
                }
            }
        }
    }

    /**
     * CPU vs GPU on the same weights: every position's logits through the decode graph (token by token), the split
     * batched prefill and the BF16 one; greedy continuations from the decode graph and after a batched prefill.
     */
    private static void compare(String name, ModelConfig config, LlamaWeights weights, int[] prompt, int generate) {
        int[] rows = IntStream.range(0, prompt.length).filter(t -> prompt.length <= 64 || t % 37 == 0 || t >= prompt.length - 3).toArray();
        CpuForward cpu = new CpuForward(config, weights);
        float[][] expected = cpu.logitsAt(prompt, 0, cpu.newCache(prompt.length), rows);
        int[] expectedTokens = greedy(cpu, prompt, generate);
        try (CudaForward gpu = new CudaForward(config, weights)) {
            assertThat(gpu.batchedPrefill()).as(gpu.prefillDescription()).isTrue();
            double[] worst = new double[3];
            CudaForward.PrefillMode[] modes = {CudaForward.PrefillMode.TOKENS, CudaForward.PrefillMode.SPLIT, CudaForward.PrefillMode.BF16};
            for (int m = 0; m < modes.length; m++) {
                gpu.prefillMode(modes[m]);
                float[][] actual = gpu.logitsAt(prompt, 0, gpu.newCache(prompt.length), rows);
                for (int i = 0; i < rows.length; i++) {
                    worst[m] = Math.max(worst[m], error(actual[i], expected[i]));
                }
                if (modes[m] != CudaForward.PrefillMode.BF16) {
                    int[] tokens = greedy(gpu, prompt, generate);
                    assertThat(tokens).as("%s greedy tokens, prefill %s", name, modes[m]).containsExactly(expectedTokens);
                }
            }
            System.out.printf("cuda vs cpu, %s, %d positions (%d compared): decode %.2e, split prefill %.2e, bf16 prefill %.2e%n",
                    name, prompt.length, rows.length, worst[0], worst[1], worst[2]);
            assertThat(worst[0]).as("%s decode path", name).isLessThan(1e-4);
            assertThat(worst[1]).as("%s split batched prefill", name).isLessThan(1e-4);
            assertThat(worst[2]).as("%s bf16 batched prefill", name).isLessThan(5e-2);
        }
    }

    private static BatchSchedulerTest.Collect submit(BatchScheduler scheduler, int[] prompt, int maxTokens, Set<Integer> stops) {
        BatchSchedulerTest.Collect c = new BatchSchedulerTest.Collect();
        scheduler.submit(prompt, maxTokens, stops, c);
        return c;
    }

    private static int[] greedy(Forward forward, int[] prompt, int n) {
        Generator generator = new Generator(forward, () -> new TextDecoder() {
            @Override
            public String next(int token) {
                return "";
            }

            @Override
            public String flush() {
                return "";
            }
        });
        return generator.generate(prompt, GenerationParameters.of(n, SamplingSettings.GREEDY)).ids().stream()
                .mapToInt(Integer::intValue).toArray();
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(CudaQuantisedForwardTest.class.getResource("/engine/fixtures/models/" + name).toURI());
    }
}
