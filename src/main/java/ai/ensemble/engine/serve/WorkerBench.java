package ai.ensemble.engine.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;

/**
 * What the inference worker's HTTP endpoint costs: C concurrent clients, each sending R greedy
 * generations of T tokens, once through {@link WorkerServer} on loopback (signed token, NDJSON
 * stream) and once straight into {@link LocalModel#generate} in the same process. Reports aggregate
 * tokens/s, time to first token (p50/p99) and what {@code /internal/v1/load} said during the run
 * (most running, most queued, most KV blocks in use). A harness, never a test.
 * <pre>
 *   java -cp ... ai.ensemble.engine.serve.WorkerBench OUT.json [spec=demo-bf16] [backend=auto]
 *        [concurrency=1,16,64] [tokens=128] [requests=4]
 * </pre>
 */
public final class WorkerBench {

    private static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\":(\\d+)");

    private WorkerBench() {
    }

    record Run(String path, int concurrency, long tokens, double seconds, double[] ttftMs, String load) {

        String json() {
            double[] sorted = ttftMs.clone();
            Arrays.sort(sorted);
            return String.format(Locale.ROOT,
                    "{\"path\":\"%s\",\"concurrency\":%d,\"requests\":%d,\"tokens\":%d,\"seconds\":%.3f,\"tokens_per_second\":%.1f,"
                            + "\"ttft_ms_p50\":%.2f,\"ttft_ms_p99\":%.2f%s}",
                    path, concurrency, ttftMs.length, tokens, seconds, tokens / seconds, percentile(sorted, 0.5),
                    percentile(sorted, 0.99), load == null ? "" : ",\"load_peak\":" + load);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WorkerBench OUT.json [spec=demo-bf16] [backend=auto] [concurrency=1,16,64] [tokens=128] [requests=4]");
            System.exit(2);
        }
        String spec = "demo-bf16";
        String backend = "auto";
        int[] concurrency = {1, 16, 64};
        int tokens = 128;
        int requests = 4;
        for (String arg : Arrays.copyOfRange(args, 1, args.length)) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "spec" -> spec = kv[1];
                case "backend" -> backend = kv[1];
                case "concurrency" -> concurrency = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "tokens" -> tokens = Integer.parseInt(kv[1]);
                case "requests" -> requests = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        int most = Arrays.stream(concurrency).max().orElse(1);
        ServiceToken signer = ServiceToken.ofSecret("worker-bench-secret-of-at-least-32-bytes");
        List<String> rows = new ArrayList<>();
        try (LocalModel model = LocalModel.open(spec, new LocalModel.Options(backend, Math.max(LocalModel.Options.DEFAULT_MAX_WAITING, most), true));
             WorkerServer server = WorkerServer.start(model, signer, 0)) {
            System.out.printf(Locale.ROOT, "model %s on %s (%s), batching %s%n", model.name(), model.backend(),
                    model.backendNote() == null ? "" : model.backendNote(), model.batching());
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            // warm up both paths (JIT, CUDA graphs for the batch sizes met first)
            overHttp(http, base, signer, Math.min(4, most), 1, tokens);
            inProcess(model, Math.min(4, most), 1, tokens);
            for (int c : concurrency) {
                for (Run run : List.of(inProcess(model, c, requests, tokens), overHttp(http, base, signer, c, requests, tokens))) {
                    System.out.println(run.json());
                    rows.add(run.json());
                }
            }
            String json = "{\"spec\":\"" + spec + "\",\"backend\":\"" + model.backend() + "\",\"tokens_per_request\":" + tokens
                    + ",\"runs\":[\n  " + String.join(",\n  ", rows) + "]}\n";
            Path out = Path.of(args[0]);
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(out, json);
        }
        System.exit(0);
    }

    private static String body(int tokens, int client, int request) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"Client " + client + " asks question " + request
                + ": describe the weather on a quiet autumn morning.\"}],\"max_tokens\":" + tokens + ",\"temperature\":0}";
    }

    private static Run overHttp(HttpClient http, URI base, ServiceToken signer, int clients, int requests, int tokens) throws Exception {
        ConcurrentLinkedQueue<Double> ttft = new ConcurrentLinkedQueue<>();
        AtomicLong generated = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        int[] peak = new int[3]; // running, queued, kv blocks in use
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (running.get()) {
                try {
                    String load = http.send(HttpRequest.newBuilder(base.resolve("/internal/v1/load"))
                            .header("Authorization", "Bearer " + signer.sign("bench", Instant.now(), Duration.ofSeconds(30))).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    peak[0] = Math.max(peak[0], field(load, "running"));
                    peak[1] = Math.max(peak[1], field(load, "queued"));
                    peak[2] = Math.max(peak[2], field(load, "kv_blocks_used"));
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    // the next sample
                }
            }
        });
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < requests; r++) {
                        long sent = System.nanoTime();
                        HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(base.resolve("/internal/v1/generate"))
                                .header("Authorization", "Bearer " + signer.sign("bench-" + client, Instant.now(), Duration.ofSeconds(60)))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body(tokens, client, r))).build(), HttpResponse.BodyHandlers.ofInputStream());
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("worker answered " + response.statusCode() + ": "
                                    + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                        }
                        boolean first = true;
                        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                                if (first && line.contains("\"delta\"")) {
                                    ttft.add((System.nanoTime() - sent) / 1e6);
                                    first = false;
                                }
                                if (line.contains("\"error\"")) {
                                    throw new IllegalStateException("worker stream failed: " + line);
                                }
                                Matcher usage = COMPLETION_TOKENS.matcher(line);
                                if (usage.find()) {
                                    generated.addAndGet(Long.parseLong(usage.group(1)));
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            running.set(false);
            sampler.interrupt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Run("http", clients, generated.get(), seconds, ttft.stream().mapToDouble(Double::doubleValue).toArray(),
                "{\"running\":" + peak[0] + ",\"queued\":" + peak[1] + ",\"kv_blocks_used\":" + peak[2] + "}");
    }

    private static Run inProcess(LocalModel model, int clients, int requests, int tokens) throws Exception {
        ConcurrentLinkedQueue<Double> ttft = new ConcurrentLinkedQueue<>();
        AtomicLong generated = new AtomicLong();
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < requests; r++) {
                        long sent = System.nanoTime();
                        boolean[] first = {true};
                        LocalModel.Result result = model.generate(List.of(new LocalModel.Turn("user", "Client " + client + " asks question " + r
                                        + ": describe the weather on a quiet autumn morning.")),
                                new LocalModel.Settings(tokens, 0f, null, null, null, null, null), text -> {
                                    if (first[0]) {
                                        ttft.add((System.nanoTime() - sent) / 1e6);
                                        first[0] = false;
                                    }
                                }, () -> false);
                        generated.addAndGet(result.completionTokens());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return new Run("in-process", clients, generated.get(), (System.nanoTime() - start) / 1e9,
                ttft.stream().mapToDouble(Double::doubleValue).toArray(), null);
    }

    private static int field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
