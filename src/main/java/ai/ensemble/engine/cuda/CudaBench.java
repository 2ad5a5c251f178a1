package ai.ensemble.engine.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.TensorType;
import jcuda.driver.CUevent;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

/**
 * Batch-1 decode speed of the cuda backend on random weights (BF16, and with {@code q8} Q8_0 too)
 * with the exact shapes of Llama-3.2-1B and Llama-3.1-8B, made directly in GPU memory, against the
 * HBM roofline: weight bytes per token as stored (Q8_0: 34 per 32 weights) ÷ the device-to-device
 * copy bandwidth measured here (a copy reads and writes each byte: 2 · bytes / time). Also times
 * each decode GEMV shape alone, prefill, and (BF16 only) continuous batching. Writes JSON.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp classes:jcuda.jar:jcuda-natives.jar \
 *     ai.ensemble.engine.cuda.CudaBench OUT.json [tokens=256] [models=llama-3.2-1b,llama-3.1-8b] [decode-only] [q8 | types=bf16,q8_0] [q8-serving]
 * </pre>
 * {@code q8} is {@code types=bf16,q8_0}: each model is measured with BF16 weights, then Q8_0 weights;
 * continuous batching runs for BF16 only unless {@code q8-serving} is given.
 */
public final class CudaBench {

    private CudaBench() {
    }

    static ModelConfig llama32_1b() {
        return new ModelConfig("llama", 2048, 8192, 16, 32, 8, 64, 128256, 131072, 1e-5f, 500000f,
                new RopeScaling("llama3", 32f, 1f, 4f, 8192), RopeStyle.HALF, true, false, 128000, List.of(128001));
    }

    static ModelConfig llama31_8b() {
        return new ModelConfig("llama", 4096, 14336, 32, 32, 8, 128, 128256, 131072, 1e-5f, 500000f,
                new RopeScaling("llama3", 8f, 1f, 4f, 8192), RopeStyle.HALF, false, false, 128000, List.of(128001));
    }

    private static boolean decodeOnly;
    private static boolean quantisedServing; // continuous batching with Q8_0 weights too (long: large batches dequantise every step)

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: CudaBench OUT.json [tokens=256] [models=llama-3.2-1b,llama-3.1-8b] [decode-only] [q8 | types=bf16,q8_0] [q8-serving]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int tokens = 256;
        List<String> models = List.of("llama-3.2-1b", "llama-3.1-8b");
        List<TensorType> types = List.of(TensorType.BF16);
        for (String arg : Arrays.copyOfRange(args, 1, args.length)) {
            if (arg.equals("q8")) {
                types = List.of(TensorType.BF16, TensorType.Q8_0);
            } else if (arg.startsWith("types=")) {
                types = Arrays.stream(arg.substring(6).split(",")).map(t -> switch (t.toLowerCase(Locale.ROOT)) {
                    case "bf16" -> TensorType.BF16;
                    case "q8", "q8_0" -> TensorType.Q8_0;
                    default -> throw new IllegalArgumentException("types are bf16 and q8_0, not " + t);
                }).toList();
            } else if (arg.startsWith("tokens=")) {
                tokens = Integer.parseInt(arg.substring(7));
            } else if (arg.equals("q8-serving")) {
                quantisedServing = true;
            } else if (arg.equals("decode-only")) {
                decodeOnly = true;
            } else if (arg.startsWith("models=")) {
                models = List.of(arg.substring(7).split(","));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        CudaForward.Availability availability = CudaForward.availability();
        if (!availability.available()) {
            System.err.println("no usable GPU: " + availability.reason());
            System.exit(1);
        }
        try (CudaContext context = CudaContext.open(0)) {
            double bandwidth = copyBandwidth(context);
            System.out.printf(Locale.ROOT, "%s, driver %d: device-to-device copy %.0f GB/s%n",
                    context.deviceName(), context.driverVersion(), bandwidth / 1e9);
            double peakFlops = cublasPeak(context);
            double tensorCoreFlops;
            try (TensorCoreGemm fallback = new TensorCoreGemm(context)) {
                tensorCoreFlops = gemmRate(context, fallback);
            }
            List<String> results = new ArrayList<>();
            for (String name : models) {
                ModelConfig config = switch (name) {
                    case "llama-3.2-1b" -> llama32_1b();
                    case "llama-3.1-8b" -> llama31_8b();
                    default -> throw new IllegalArgumentException("unknown model " + name);
                };
                for (TensorType type : types) {
                    results.add(model(context, name, config, type, tokens, bandwidth, peakFlops));
                }
            }
            String json = "{\n  \"device\": \"" + context.deviceName() + "\",\n  \"driver\": " + context.driverVersion()
                    + ",\n  \"copy_bandwidth_gb_s\": " + round(bandwidth / 1e9)
                    + ",\n  \"cublas_bf16_peak_tflop_s\": " + round(peakFlops / 1e12)
                    + ",\n  \"tensor_core_gemm_fallback_tflop_s\": " + round(tensorCoreFlops / 1e12)
                    + ",\n  \"method\": \"batch 1, BF16 (or Q8_0) weights, f32 activations and KV cache, one CUDA graph per decode step"
                    + " replayed back to back (greedy argmax on the GPU feeds the next step), positions 0.." + (tokens - 1)
                    + " after a warm-up; roofline = copy bandwidth / weight bytes per token\""
                    + ",\n  \"models\": [\n" + String.join(",\n", results) + "\n  ]\n}\n";
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json);
            System.out.println(json);
        }
    }

    private static String model(CudaContext context, String model, ModelConfig config, TensorType type, int tokens, double bandwidth,
                                double peakFlops) {
        String name = type == TensorType.BF16 ? model : model + " " + type.name().toLowerCase(Locale.ROOT);
        try (DeviceWeights weights = DeviceWeights.random(config, type, 42);
             CudaForward forward = new CudaForward(context, weights)) {
            CudaKvCache cache = (CudaKvCache) forward.newCache(tokens + 1);
            // the residual GEMV variant is read at capture: time the other one on a cache of its own first
            Gemv.residualOneRowPerWarp = !Gemv.residualOneRowPerWarp;
            CudaKvCache other = (CudaKvCache) forward.newCache(tokens + 1);
            forward.step(other, 1, 0, Math.min(32, tokens));
            forward.step(other, 1, 0, 0);
            CUevent otherStart = event();
            CUevent otherStop = event();
            cuEventRecord(otherStart, context.stream());
            forward.stepWithoutReset(other, tokens);
            cuEventRecord(otherStop, context.stream());
            double otherSeconds = elapsed(otherStart, otherStop);
            System.out.printf(Locale.ROOT, "%s with residual GEMV rows per warp %d: %.1f tok/s%n", name,
                    Gemv.residualOneRowPerWarp ? 1 : 2, tokens / otherSeconds);
            other.close();
            Gemv.residualOneRowPerWarp = !Gemv.residualOneRowPerWarp;
            // the same for programmatic dependent launch (read at capture as well)
            CudaContext.programmaticLaunch = !CudaContext.programmaticLaunch;
            CudaKvCache flipped = (CudaKvCache) forward.newCache(tokens + 1);
            forward.step(flipped, 1, 0, Math.min(32, tokens));
            forward.step(flipped, 1, 0, 0);
            CUevent flippedStart = event();
            CUevent flippedStop = event();
            cuEventRecord(flippedStart, context.stream());
            forward.stepWithoutReset(flipped, tokens);
            cuEventRecord(flippedStop, context.stream());
            double flippedTokensPerSecond = tokens / elapsed(flippedStart, flippedStop);
            boolean flippedPdl = CudaContext.programmaticLaunch;
            System.out.printf(Locale.ROOT, "%s with programmatic dependent launch %s: %.1f tok/s%n", name,
                    flippedPdl ? "on" : "off", flippedTokensPerSecond);
            flipped.close();
            CudaContext.programmaticLaunch = !CudaContext.programmaticLaunch;
            forward.step(cache, 1, 0, Math.min(32, tokens)); // warm-up, and the graph's capture
            context.synchronize();
            double[] seconds = new double[3];
            for (int run = 0; run < seconds.length; run++) {
                CUevent start = event();
                CUevent stop = event();
                forward.step(cache, 1, 0, 0);
                cuEventRecord(start, context.stream());
                forward.stepWithoutReset(cache, tokens);
                cuEventRecord(stop, context.stream());
                seconds[run] = elapsed(start, stop);
            }
            Arrays.sort(seconds);
            double best = seconds[0];
            double tokensPerSecond = tokens / best;
            long bytes = weights.bytesPerToken();
            double roofline = bandwidth / bytes;
            System.out.printf(Locale.ROOT, "%s (residual GEMV rows per warp %d, programmatic dependent launch %s): %.1f tok/s (%.3f ms/token), %.2f GB of weights per token, roofline %.1f tok/s: %.1f%%%n",
                    name, Gemv.residualOneRowPerWarp ? 1 : 2, CudaContext.programmaticLaunch ? "on" : "off", tokensPerSecond, 1e3 / tokensPerSecond, bytes / 1e9, roofline, 100 * tokensPerSecond / roofline);
            if (decodeOnly) {
                return "    {\"model\": \"" + model + "\", \"weights\": \"" + type.name().toLowerCase(Locale.ROOT) + "\", \"gemv\": [" + gemvShapes(context, weights, bandwidth) + "], \"decode_tokens_per_second\": " + round(tokensPerSecond)
                        + ", \"fraction_of_roofline\": " + round(tokensPerSecond / roofline)
                        + ", \"programmatic_dependent_launch\": " + CudaContext.programmaticLaunch
                        + ", \"decode_tokens_per_second_pdl_" + (flippedPdl ? "on" : "off") + "\": " + round(flippedTokensPerSecond) + "}";
            }
            String serving = type == TensorType.BF16 || quantisedServing ? serving(forward, tokensPerSecond)
                    : "{\"skipped\": \"BF16 weights only unless q8-serving is given\"}";
            String gemvs = gemvShapes(context, weights, bandwidth);
            String prefill = prefill(context, forward, weights, 512, peakFlops);
            return "    {\"model\": \"" + model + "\", \"weights\": \"" + type.name().toLowerCase(Locale.ROOT) + "\", \"dim\": " + config.dim() + ", \"hidden_dim\": " + config.hiddenDim()
                    + ", \"layers\": " + config.layers() + ", \"heads\": " + config.heads() + ", \"kv_heads\": " + config.kvHeads()
                    + ", \"vocab\": " + config.vocabSize() + ", \"tied_embeddings\": " + config.tiedEmbeddings()
                    + ",\n     \"tokens_timed\": " + tokens + ", \"runs_seconds\": " + Arrays.toString(seconds)
                    + ",\n     \"decode_tokens_per_second\": " + round(tokensPerSecond)
                    + ", \"ms_per_token\": " + round(1e3 / tokensPerSecond)
                    + ", \"weight_bytes_per_token\": " + bytes
                    + ", \"roofline_tokens_per_second\": " + round(roofline)
                    + ", \"fraction_of_roofline\": " + round(tokensPerSecond / roofline)
                    + ", \"programmatic_dependent_launch\": " + CudaContext.programmaticLaunch
                    + ", \"decode_tokens_per_second_pdl_" + (flippedPdl ? "on" : "off") + "\": " + round(flippedTokensPerSecond)
                    + ",\n     \"gemv\": [" + gemvs + "]"
                    + ",\n     \"prefill\": " + prefill
                    + ",\n     \"serving\": " + serving + "}";
        }
    }

    /** Each GEMV of a decode step alone, 50 launches captured in a CUDA graph (as in decode), as bytes of W read per second. */
    private static String gemvShapes(CudaContext context, DeviceWeights weights, double bandwidth) {
        ModelConfig c = weights.config;
        Gemv gemv = new Gemv(context);
        DeviceWeights.Layer layer = weights.layers.get(0);
        int queryDim = c.heads() * c.headDim();
        DeviceBuffer x = DeviceBuffer.allocate(4L * Math.max(c.hiddenDim(), c.dim()));
        DeviceBuffer out = DeviceBuffer.allocate(4L * Math.max(c.vocabSize(), 2 * c.hiddenDim()));
        x.zero();
        out.zero();
        List<String> rows = new ArrayList<>();
        try {
            rows.add(timeGemv(context, "qkv+norm", layer.qkv().bytes(), bandwidth,
                    () -> gemv.project(layer.qkv(), x, layer.attentionNorm(), 1e-5f, null, out, weights.qkvRows(), c.dim())));
            for (boolean oneRow : new boolean[] {!Gemv.residualOneRowPerWarp, Gemv.residualOneRowPerWarp}) {
                boolean saved = Gemv.residualOneRowPerWarp;
                Gemv.residualOneRowPerWarp = oneRow;
                String suffix = oneRow ? " r1" : " r2";
                rows.add(timeGemv(context, "wo+residual" + suffix, layer.wo().bytes(), bandwidth,
                        () -> gemv.addProjection(layer.wo(), x, out, c.dim(), queryDim)));
                rows.add(timeGemv(context, "down+residual" + suffix, layer.down().bytes(), bandwidth,
                        () -> gemv.addProjection(layer.down(), x, out, c.dim(), c.hiddenDim())));
                Gemv.residualOneRowPerWarp = saved;
            }
            rows.add(timeGemv(context, "gate_up+norm+swiglu", layer.gateUp().bytes(), bandwidth,
                    () -> gemv.swiglu(layer.gateUp(), x, layer.ffnNorm(), 1e-5f, out, c.hiddenDim(), c.dim())));
            rows.add(timeGemv(context, "logits+norm", weights.output.bytes(), bandwidth,
                    () -> gemv.project(weights.output, x, weights.outputNorm, 1e-5f, null, out, c.vocabSize(), c.dim())));
            // the other kernels of a decode step, with the bytes they read
            int kvDim = c.kvHeads() * c.headDim();
            int positions = 256;
            DeviceBuffer keys = DeviceBuffer.allocate(4L * positions * kvDim);
            DeviceBuffer values = DeviceBuffer.allocate(4L * positions * kvDim);
            DeviceBuffer state = DeviceBuffer.allocate(8);
            keys.zero();
            values.zero();
            try (Argmax argmax = new Argmax(context, c.vocabSize())) {
                AttentionDecode attention = new AttentionDecode(context);
                state.upload(new int[] {0, positions - 1});
                rows.add(timeGemv(context, "attention@" + positions, 2L * positions * kvDim * 4, bandwidth,
                        () -> attention.launch(out, keys, values, state.slice(4, 4), x, c.heads(), c.kvHeads(), c.headDim())));
                rows.add(timeGemv(context, "argmax", 4L * c.vocabSize(), bandwidth,
                        () -> argmax.launch(out, c.vocabSize(), state.slice(0, 4), state.slice(4, 4))));
            } finally {
                keys.free();
                values.free();
                state.free();
            }
        } finally {
            x.free();
            out.free();
        }
        return String.join(", ", rows);
    }

    private static String timeGemv(CudaContext context, String name, long bytes, double bandwidth, Runnable launch) {
        for (int i = 0; i < 5; i++) {
            launch.run();
        }
        int n = 50;
        cuStreamBeginCapture(context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph graph = new CUgraph();
        try {
            for (int i = 0; i < n; i++) {
                launch.run();
            }
        } finally {
            cuStreamEndCapture(context.stream(), graph);
        }
        CUgraphExec exec = new CUgraphExec();
        cuGraphInstantiate(exec, graph, 0);
        cuGraphDestroy(graph);
        cuGraphLaunch(exec, context.stream()); // warm-up
        CUevent start = event();
        CUevent stop = event();
        cuEventRecord(start, context.stream());
        cuGraphLaunch(exec, context.stream());
        cuEventRecord(stop, context.stream());
        double perLaunch = elapsed(start, stop) / n;
        cuGraphExecDestroy(exec);
        double rate = bytes / perLaunch;
        System.out.printf(Locale.ROOT, "  gemv %-20s %8.1f MB  %7.2f us  %6.0f GB/s  %5.1f%% of copy bandwidth%n",
                name, bytes / 1e6, perLaunch * 1e6, rate / 1e9, 100 * rate / bandwidth);
        return "{\"name\": \"" + name + "\", \"weight_bytes\": " + bytes + ", \"us\": " + round(perLaunch * 1e6)
                + ", \"gb_s\": " + round(rate / 1e9) + ", \"fraction_of_copy_bandwidth\": " + round(rate / bandwidth) + "}";
    }

    /**
     * Time to first token of a {@code n}-token prompt (wall clock of logitsAt for the last row: prefill,
     * final norm, logits GEMV and their download), best of 3 after a warm-up, for each prefill mode;
     * TFLOP/s = the model's FLOPs (matmuls, causal attention, one logits row) / that time; "executed"
     * counts the second GEMM of the split mode too, and is what is compared with the cuBLAS peak.
     */
    private static String prefill(CudaContext context, CudaForward forward, DeviceWeights weights, int n, double peakFlops) {
        ModelConfig c = weights.config;
        int[] prompt = new int[n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            prompt[i] = random.nextInt(c.vocabSize());
        }
        double flops = CudaPrefill.flops(c, weights.qkvRows(), n) + 2.0 * c.vocabSize() * c.dim();
        double attention = 4.0 * c.heads() * c.headDim() * ((double) n * (n + 1) / 2) * c.layers();
        List<String> rows = new ArrayList<>();
        System.out.println("  prefill: " + forward.prefillDescription());
        for (CudaForward.PrefillMode mode : CudaForward.PrefillMode.values()) {
            if (mode != CudaForward.PrefillMode.TOKENS && !forward.batchedPrefill()) {
                continue;
            }
            forward.prefillMode(mode);
            CudaKvCache cache = (CudaKvCache) forward.newCache(n + 1);
            try {
                int runs = mode == CudaForward.PrefillMode.TOKENS ? 1 : 3;
                forward.logitsAt(prompt, 0, cache, new int[] {n - 1}); // warm-up (graph capture, buffers, cuBLAS heuristics)
                double best = Double.MAX_VALUE;
                for (int r = 0; r < runs; r++) {
                    long start = System.nanoTime();
                    forward.logitsAt(prompt, 0, cache, new int[] {n - 1});
                    best = Math.min(best, (System.nanoTime() - start) / 1e9);
                }
                double executed = mode == CudaForward.PrefillMode.SPLIT ? 2 * flops - attention - 2.0 * c.vocabSize() * c.dim() : flops;
                System.out.printf(Locale.ROOT, "  prefill %-6s %d tokens: time to first token %.2f ms, %.1f TFLOP/s (model FLOPs), "
                                + "%.1f TFLOP/s executed = %.1f%% of cuBLAS peak, %.0f tokens/s%n",
                        mode.name().toLowerCase(Locale.ROOT), n, best * 1e3, flops / best / 1e12, executed / best / 1e12,
                        100 * executed / best / peakFlops, n / best);
                rows.add("{\"mode\": \"" + mode.name().toLowerCase(Locale.ROOT) + "\", \"prompt_tokens\": " + n
                        + ", \"ttft_ms\": " + round(best * 1e3) + ", \"model_tflop_s\": " + round(flops / best / 1e12)
                        + ", \"executed_tflop_s\": " + round(executed / best / 1e12)
                        + ", \"fraction_of_cublas_peak\": " + round(executed / best / peakFlops)
                        + ", \"prompt_tokens_per_second\": " + round(n / best) + "}");
            } finally {
                cache.close();
            }
        }
        forward.prefillMode(CudaForward.PrefillMode.SPLIT);
        return "{\"path\": \"" + forward.prefillDescription() + "\", \"model_flops\": " + round(flops)
                + ", \"runs\": [" + String.join(", ", rows) + "]}";
    }

    /**
     * Aggregate throughput of continuous batching ({@link BatchScheduler}): S concurrent streams, each
     * a 32-token random prompt and 128 greedy tokens (no stop token), all submitted at once and run to
     * completion on this thread; wall clock from submit to the last token, prefill included (prompt rows
     * join the decode steps, up to 512 per step). Also the mean wall time of the decode-only steps. For each
     * GEMM input precision (bf16: activations rounded to BF16; split: hi + lo, the f32 path's tokens).
     * The ratio is to the 1-stream aggregate of the same scheduler and to the batch-1 decode graph.
     */
    private static String serving(CudaForward forward, double batchOneTokensPerSecond) {
        if (forward.gemm() == null) {
            return "{\"skipped\": \"no cuBLAS\"}";
        }
        int prompt = 32;
        int generate = 128;
        int[] streams = {1, 8, 32, 64};
        ModelConfig c = forward.config();
        List<String> modes = new ArrayList<>();
        for (CudaPrefill.Precision precision : new CudaPrefill.Precision[] {CudaPrefill.Precision.BF16, CudaPrefill.Precision.SPLIT}) {
            BatchScheduler.Options options = new BatchScheduler.Options(64, 16, 64 * ((prompt + generate + 15) / 16) + 64, 256, prompt + generate);
            try (BatchScheduler scheduler = new BatchScheduler(forward, options, precision)) {
                java.util.SplittableRandom random = new java.util.SplittableRandom(3);
                for (int s = 1; s <= 64; s *= 2) { // warm-up: a graph per padded batch size, cuBLAS heuristics
                    for (int i = 0; i < s; i++) {
                        scheduler.submit(random.ints(prompt, 0, c.vocabSize()).toArray(), 2, java.util.Set.of(), t -> { });
                    }
                    scheduler.runUntilIdle();
                }
                List<String> rows = new ArrayList<>();
                double single = Double.NaN;
                for (int s : streams) {
                    int[][] prompts = new int[s][];
                    for (int i = 0; i < s; i++) {
                        prompts[i] = random.ints(prompt, 0, c.vocabSize()).toArray();
                    }
                    long[] counts = new long[1];
                    long stepsBefore = scheduler.steps();
                    long[] decodeBefore = scheduler.decodeStepsAndNanos();
                    long start = System.nanoTime();
                    for (int i = 0; i < s; i++) {
                        scheduler.submit(prompts[i], generate, java.util.Set.of(), t -> counts[0]++);
                    }
                    scheduler.runUntilIdle();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long steps = scheduler.steps() - stepsBefore;
                    long[] decodeAfter = scheduler.decodeStepsAndNanos();
                    double decodeMs = (decodeAfter[1] - decodeBefore[1]) / 1e6 / Math.max(1, decodeAfter[0] - decodeBefore[0]);
                    double rate = counts[0] / seconds;
                    if (s == 1) {
                        single = rate;
                    }
                    System.out.printf(Locale.ROOT, "  serving %-5s %2d streams x %d tokens: %.0f tok/s aggregate, %.2f ms/step (%d steps; decode-only steps %.2f ms = %.0f tok/s), "
                                    + "%.1fx the 1-stream aggregate, %.1fx batch-1 decode (%.0f tok/s)%n",
                            precision.name().toLowerCase(Locale.ROOT), s, generate, rate, 1e3 * seconds / steps, steps, decodeMs, s * 1e3 / decodeMs,
                            rate / single, rate / batchOneTokensPerSecond, batchOneTokensPerSecond);
                    rows.add("{\"streams\": " + s + ", \"tokens\": " + counts[0] + ", \"seconds\": " + round(seconds)
                            + ", \"steps\": " + steps + ", \"decode_only_ms_per_step\": " + round(decodeMs)
                            + ", \"tokens_per_second\": " + round(rate)
                            + ", \"ratio_to_1_stream\": " + round(rate / single)
                            + ", \"ratio_to_batch1_decode\": " + round(rate / batchOneTokensPerSecond) + "}");
                }
                modes.add("{\"precision\": \"" + precision.name().toLowerCase(Locale.ROOT) + "\", \"graphs\": " + scheduler.usesGraphs()
                        + ", \"runs\": [" + String.join(", ", rows) + "]}");
            }
        }
        return "{\"prompt_tokens\": " + prompt + ", \"generated_tokens\": " + generate
                + ", \"batch1_decode_tokens_per_second\": " + round(batchOneTokensPerSecond)
                + ", \"modes\": [" + String.join(", ", modes) + "]}";
    }

    /** A BF16 × BF16 → f32 GEMM of 8192³ through the same cuBLAS binding, best of 10: the peak prefill is compared with. */
    static double cublasPeak(CudaContext context) {
        try (Cublas cublas = Cublas.open(context.stream())) {
            return gemmRate(context, cublas);
        } catch (IllegalStateException e) {
            System.out.println("no cuBLAS: " + e.getMessage());
            return Double.NaN;
        }
    }

    /** The same GEMM through {@code gemm}, best of 10, in FLOP/s. */
    static double gemmRate(CudaContext context, Gemm cublas) {
        int n = 8192;
        {
            DeviceBuffer a = DeviceBuffer.allocate(2L * n * n);
            DeviceBuffer b = DeviceBuffer.allocate(2L * n * n);
            DeviceBuffer out = DeviceBuffer.allocate(4L * n * n);
            try {
                a.zero();
                b.zero();
                for (int i = 0; i < 3; i++) {
                    cublas.matmulRowMajor(a, b, out, n, n, n, false);
                }
                double best = Double.MAX_VALUE;
                for (int i = 0; i < 10; i++) {
                    CUevent start = event();
                    CUevent stop = event();
                    cuEventRecord(start, context.stream());
                    cublas.matmulRowMajor(a, b, out, n, n, n, false);
                    cuEventRecord(stop, context.stream());
                    best = Math.min(best, elapsed(start, stop));
                }
                double flops = 2.0 * n * n * n / best;
                System.out.printf(Locale.ROOT, "%s BF16 GEMM %d^3 (f32 out, f32 accumulation): %.0f TFLOP/s%n", cublas.description(), n, flops / 1e12);
                return flops;
            } finally {
                a.free();
                b.free();
                out.free();
            }
        }
    }

    /** Device-to-device copy of 1 GiB, best of 10: 2 · bytes / time (each byte is read and written). */
    static double copyBandwidth(CudaContext context) {
        long bytes = 1L << 30;
        DeviceBuffer a = DeviceBuffer.allocate(bytes);
        DeviceBuffer b = DeviceBuffer.allocate(bytes);
        try {
            a.zero();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                CUevent start = event();
                CUevent stop = event();
                cuEventRecord(start, null);
                b.copyFrom(a, 0, 0, bytes);
                cuEventRecord(stop, null);
                best = Math.min(best, elapsed(start, stop));
            }
            return 2.0 * bytes / best;
        } finally {
            a.free();
            b.free();
        }
    }

    private static CUevent event() {
        CUevent event = new CUevent();
        cuEventCreate(event, 0);
        return event;
    }

    /** Seconds between two recorded events (waits for the second); destroys both. */
    private static double elapsed(CUevent start, CUevent stop) {
        cuEventSynchronize(stop);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, start, stop);
        cuEventDestroy(start);
        cuEventDestroy(stop);
        return ms[0] / 1e3;
    }

    private static String round(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }
}
