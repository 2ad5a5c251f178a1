package ai.ensemble.engine.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ai.ensemble.engine.LocalModel;
import com.sun.net.httpserver.HttpExchange;

/**
 * Runs one generation for {@code POST /internal/v1/generate} and streams it as newline-delimited
 * JSON. The status line waits for the first piece of text, so that a full queue ({@code 503},
 * {@code overloaded}) or a prompt too long for the context ({@code 400}) still gets a proper status;
 * after it, a failure is an {@code {"error":...}} line. A write that fails means the client is gone:
 * the generation is cancelled at once (in the GPU batch, its KV blocks are freed at the next step).
 */
final class Generation {

    private static final System.Logger LOG = System.getLogger(Generation.class.getName());

    private final LocalModel model;
    private final WorkerMetrics metrics;
    /** At least this long between two tokens of a stream (0: as fast as the model goes). */
    private final long tokenIntervalNanos;

    Generation(LocalModel model, WorkerMetrics metrics, java.time.Duration tokenInterval) {
        this.model = model;
        this.metrics = metrics;
        this.tokenIntervalNanos = tokenInterval == null ? 0 : tokenInterval.toNanos();
    }

    /** What one stream holds: whether it started, whether the client left, and what to run when it does. */
    private static final class Stream {
        final HttpExchange exchange;
        final WorkerSpan span;
        final long startedNanos = System.nanoTime();
        final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
        OutputStream out;
        volatile boolean cancelled;

        Stream(HttpExchange exchange, WorkerSpan span) {
            this.exchange = exchange;
            this.span = span;
        }

        void start() throws IOException {
            exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            out = exchange.getResponseBody();
        }

        void line(String json) throws IOException {
            out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void cancel() {
            if (!cancelled) {
                cancelled = true;
                onCancel.forEach(Runnable::run);
            }
        }
    }

    /** Runs the request, recording on {@code span} the model, token counts, finish reason, first token and failures. */
    void run(HttpExchange exchange, GenerateRequest request, String context, WorkerSpan span) throws IOException {
        metrics.request();
        span.attribute("gen_ai.request.model", model.name());
        span.attribute("ensemble.engine.backend", model.backend());
        span.attribute("gen_ai.request.max_tokens", request.settings().maxTokens());
        Stream stream = new Stream(exchange, span);
        LocalModel.Result result;
        try {
            result = model.generate(request.turns(), request.settings(), text -> deliver(stream, text, context),
                    () -> stream.cancelled, action -> {
                        stream.onCancel.add(action);
                        if (stream.cancelled) {
                            action.run();
                        }
                    });
        } catch (LocalModel.BusyException e) {
            metrics.rejected();
            span.fail("overloaded: " + e.getMessage());
            LOG.log(System.Logger.Level.INFO, "Overloaded, refused: {0} {1}", e.getMessage(), context);
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
            WorkerServer.error(exchange, 503, "overloaded", e.getMessage(), null);
            return;
        } catch (LocalModel.PromptTooLongException e) {
            span.fail("invalid_request: " + e.getMessage());
            WorkerServer.error(exchange, 400, "invalid_request", e.getMessage(), "messages");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            span.attribute("gen_ai.response.finish_reasons", "cancelled");
            stream.cancel();
            return;
        } catch (RuntimeException e) {
            metrics.failed();
            span.fail("engine_error: " + e.getMessage());
            LOG.log(System.Logger.Level.ERROR, "Generation failed: " + e + " " + context, e);
            if (stream.out == null) {
                WorkerServer.error(exchange, 500, "engine_error", String.valueOf(e.getMessage()), null);
            } else if (!stream.cancelled) {
                stream.line(WorkerServer.errorJson("engine_error", String.valueOf(e.getMessage()), null));
            }
            return;
        }
        span.attribute("gen_ai.usage.input_tokens", result.promptTokens());
        span.attribute("gen_ai.usage.output_tokens", result.completionTokens());
        span.attribute("gen_ai.response.finish_reasons", stream.cancelled ? "cancelled" : result.finishReason());
        if (stream.cancelled || result.finishReason().equals("cancelled")) {
            LOG.log(System.Logger.Level.INFO, "Client left: generation cancelled after {0} tokens {1}",
                    result.completionTokens(), context);
            return;
        }
        metrics.tokens(result.promptTokens(), result.completionTokens());
        if (stream.out == null) {
            stream.start();
        }
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("finish_reason", result.finishReason());
        end.put("usage", Map.of("prompt_tokens", result.promptTokens(), "completion_tokens", result.completionTokens()));
        stream.line(JsonText.object(end));
        LOG.log(System.Logger.Level.DEBUG, "Generated {0} tokens ({1}) {2}", result.completionTokens(), result.finishReason(), context);
    }

    private void deliver(Stream stream, String text, String context) {
        if (stream.cancelled) {
            return;
        }
        try {
            if (stream.out == null) {
                stream.start();
                long firstToken = System.nanoTime() - stream.startedNanos;
                metrics.firstToken(firstToken);
                stream.span.event("first-token");
                stream.span.attribute("ensemble.time_to_first_token_ms", firstToken / 1_000_000);
            }
            stream.line(JsonText.object(Map.of("delta", text)));
            if (tokenIntervalNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(tokenIntervalNanos);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "Client left mid-stream ({0}): cancelling {1}", e.toString(), context);
            stream.cancel();
        }
    }
}
