package ai.ensemble.engine.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.generate.GenerationParameters;
import ai.ensemble.engine.generate.GenerationResult;
import ai.ensemble.engine.generate.Generator;
import ai.ensemble.engine.generate.TextDecoder;
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;

/**
 * The engine on the command line, for checks and benchmarks: one subcommand per run, its result
 * as one JSON object on stdout. A wrong command line prints {@code {"error": ...}} and the usage
 * (on stderr) and exits with 2; a failure while running exits with 1.
 */
public final class EngineCli {

    static final String USAGE = """
            usage: EngineCli <command> [options]
              tokenize --tokenizer PATH --text TEXT [--special true]
                  PATH: tokenizer.json, a .gguf file, a model folder, or demo
              generate --model MODEL (--prompt TEXT | --prompt-ids 1,2,3) [--max-tokens N] [--temperature T]
                       [--top-p P] [--top-k K] [--seed S] [--backend cpu]
              logits --model MODEL --prompt-ids 1,2,3 --positions 0,5,17 [--backend cpu]
              bench --model MODEL [--prompt-len N] [--gen-len N] [--batch 1] [--warmup N] [--backend cpu]
            MODEL: a Hugging Face folder, a .gguf file, demo[:SEED], or random:llama-3.2-1b:(f32|bf16|q8_0)
            """;

    private EngineCli() {
    }

    public static void main(String[] args) {
        // UTF-8 whatever the console's default charset, so that generated text arrives intact.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    /** Runs one command; returns the exit status (0 done, 1 failed, 2 wrong command line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0) {
                throw new Arguments.UsageException("no command given");
            }
            String json = switch (args[0]) {
                case "tokenize" -> tokenize(new Arguments("tokenize", args, 1, Set.of("tokenizer", "text", "special")));
                case "generate" -> generate(new Arguments("generate", args, 1, Set.of("model", "prompt", "prompt-ids",
                        "max-tokens", "temperature", "top-p", "top-k", "seed", "backend")));
                case "logits" -> logits(new Arguments("logits", args, 1, Set.of("model", "prompt-ids", "positions", "backend")));
                case "bench" -> bench(new Arguments("bench", args, 1, Set.of("model", "prompt-len", "gen-len", "batch",
                        "warmup", "backend")));
                default -> throw new Arguments.UsageException("unknown command '" + args[0] + "'");
            };
            out.println(json);
            return 0;
        } catch (Arguments.UsageException | IllegalArgumentException e) {
            out.println(new JsonOutput().field("error", e.getMessage()));
            if (e instanceof Arguments.UsageException) {
                err.print(USAGE);
            }
            return 2;
        } catch (Exception e) {
            out.println(new JsonOutput().field("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
            return 1;
        }
    }

    private static String tokenize(Arguments arguments) throws Exception {
        String text = arguments.required("text");
        boolean special = Boolean.parseBoolean(arguments.optional("special", "false"));
        Tokenizer tokenizer = tokenizer(arguments.required("tokenizer"));
        return new JsonOutput().field("ids", special ? tokenizer.encodeWithSpecial(text) : tokenizer.encode(text)).toString();
    }

    private static Tokenizer tokenizer(String path) throws Exception {
        if (path.endsWith("tokenizer.json")) {
            Path json = Path.of(path);
            if (!Files.isRegularFile(json)) {
                throw new Arguments.UsageException("--tokenizer " + path + " does not exist");
            }
            Path config = json.resolveSibling("tokenizer_config.json");
            return Tokenizers.fromJson(json, Files.isRegularFile(config) ? config : null);
        }
        try (OpenedModel model = OpenedModel.open(path)) {
            if (model.tokenizer() == null) {
                throw new Arguments.UsageException("--tokenizer " + path + " has no tokenizer.json");
            }
            return model.tokenizer();
        }
    }

    private static String generate(Arguments arguments) throws Exception {
        if (arguments.has("prompt") == arguments.has("prompt-ids")) {
            throw new Arguments.UsageException("generate needs exactly one of --prompt and --prompt-ids");
        }
        SamplingSettings sampling = new SamplingSettings(arguments.decimal("temperature", 0f),
                arguments.integer("top-k", 0, 0), arguments.decimal("top-p", 1f), 0f, 1f, 0f, 0f,
                arguments.optionalLong("seed"), 0);
        GenerationParameters parameters = GenerationParameters.of(arguments.integer("max-tokens", 64, 1), sampling);
        try (OpenedModel model = OpenedModel.open(arguments.required("model"))) {
            Forward forward = forward(arguments, model);
            Tokenizer tokenizer = model.tokenizer();
            int[] prompt;
            if (arguments.has("prompt")) {
                if (tokenizer == null) {
                    throw new Arguments.UsageException("--model " + model.name() + " has no tokenizer: give --prompt-ids");
                }
                prompt = tokenizer.encodeWithSpecial(arguments.required("prompt"));
            } else {
                prompt = arguments.integers("prompt-ids");
            }
            Generator generator = tokenizer != null ? new Generator(forward, tokenizer) : new Generator(forward, NoText::new);
            GenerationResult result = generator.generate(prompt, parameters);
            return new JsonOutput()
                    .field("model", model.name())
                    .field("ids", result.ids().stream().mapToInt(Integer::intValue).toArray())
                    .field("text", tokenizer != null ? result.text() : null)
                    .field("finish_reason", result.finishReason().wireName())
                    .field("prompt_tokens", result.promptTokens())
                    .field("completion_tokens", result.completionTokens())
                    .field("prefill_ms", result.prefillMillis())
                    .field("tokens_per_second", result.decodeTokensPerSecond())
                    .toString();
        }
    }

    private static String logits(Arguments arguments) throws Exception {
        int[] prompt = arguments.integers("prompt-ids");
        int[] positions = arguments.integers("positions");
        try (OpenedModel model = OpenedModel.open(arguments.required("model"))) {
            Forward forward = forward(arguments, model);
            for (int position : positions) {
                if (position >= prompt.length) {
                    throw new Arguments.UsageException("--positions " + position + " is past the " + prompt.length + " prompt ids");
                }
            }
            float[][] rows = forward.logitsAt(prompt, 0, forward.newCache(prompt.length), positions);
            Map<String, float[]> byPosition = new LinkedHashMap<>();
            for (int i = 0; i < positions.length; i++) {
                byPosition.put(String.valueOf(positions[i]), rows[i]);
            }
            return new JsonOutput().field("rows", byPosition).toString();
        }
    }

    private static String bench(Arguments arguments) throws Exception {
        int batch = arguments.integer("batch", 1, 1);
        if (batch != 1) {
            throw new Arguments.UsageException("--batch " + batch + ": the CPU backend decodes one sequence at a time (batch 1)");
        }
        int promptLength = arguments.integer("prompt-len", 32, 1);
        int generateLength = arguments.integer("gen-len", 32, 1);
        int warmup = arguments.integer("warmup", 4, 0);
        try (OpenedModel model = OpenedModel.open(arguments.required("model"))) {
            Forward forward = forward(arguments, model);
            Benchmark.Result result = Benchmark.run(forward, model.model().weights(), promptLength, generateLength, warmup);
            return new JsonOutput()
                    .field("model", model.name())
                    .field("backend", forward.backend())
                    .field("cores", Runtime.getRuntime().availableProcessors())
                    .field("batch", batch)
                    .field("prompt_tokens", result.promptTokens())
                    .field("prefill_ms", result.prefillMillis())
                    .field("prefill_tokens_per_second", result.prefillTokensPerSecond())
                    .field("decode_tokens", result.decodeTokens())
                    .field("decode_tokens_per_second", result.decodeTokensPerSecond())
                    .field("weight_bytes_per_token", result.weightBytesPerToken())
                    .field("weight_gb_per_second", result.weightGigabytesPerSecond())
                    .toString();
        }
    }

    private static Forward forward(Arguments arguments, OpenedModel model) {
        String backend = arguments.optional("backend", "cpu");
        if (!backend.equals("cpu")) {
            throw new Arguments.UsageException("--backend " + backend + " is not available (this build has: cpu)");
        }
        return CpuForward.of(model.model());
    }

    /** For models without a tokenizer: ids only. */
    private static final class NoText implements TextDecoder {
        @Override
        public String next(int token) {
            return "";
        }

        @Override
        public String flush() {
            return "";
        }
    }
}
