package ai.ensemble.expert.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import ai.ensemble.engine.ServiceToken;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertException.Kind;
import ai.ensemble.expert.ExpertInfo;
import ai.ensemble.expert.ExpertRequest;
import ai.ensemble.expert.OutboundHeaders;
import ai.ensemble.shared.RequestIds;
import io.micrometer.core.instrument.Counter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An expert served by a pool of Ensemble inference workers ({@code type: worker}; {@code baseUrl}
 * lists the workers, comma-separated). Each request goes to the least-loaded worker that is up, with
 * a service token signed for it. Until the first token arrives, a worker that cannot be reached,
 * answers 5xx or is overloaded (503) is passed over for the next one, up to every worker once;
 * after it, a broken stream ends the request with an error that says text was already sent.
 */
final class WorkerExpert implements Expert, AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ExpertDefinition definition;
    private final WorkerPool pool;
    private final HttpClient http;
    private final ServiceToken tokens;
    private final OutboundHeaders headers;
    private final Counter retries;
    private final ExpertInfo info;

    WorkerExpert(ExpertDefinition definition, WorkerPool pool, HttpClient http, ServiceToken tokens, OutboundHeaders headers,
                 Counter retries) {
        this.definition = definition;
        this.pool = pool;
        this.http = http;
        this.tokens = tokens;
        this.headers = headers;
        this.retries = retries;
        String description = definition.description().isBlank()
                ? "Served by " + pool.workers().size() + " Ensemble inference worker(s)" : definition.description();
        this.info = new ExpertInfo(definition.id(), definition.displayName() == null ? definition.id() : definition.displayName(),
                description, "ensemble-worker", true, definition.contextLength());
    }

    /** The worker base URLs of a {@code baseUrl} such as {@code http://w0:8080,http://w1:8080}. */
    static List<URI> bases(String baseUrl, String where) {
        List<URI> bases = new ArrayList<>();
        for (String part : (baseUrl == null ? "" : baseUrl).split(",")) {
            String url = part.strip().replaceAll("/+$", "");
            if (!url.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException(where + ".base-url must list inference workers as comma-separated http(s) "
                        + "URLs without a path, such as http://worker-0:8080,http://worker-1:8080; '" + part.strip() + "' is not one");
            }
            bases.add(URI.create(url + "/"));
        }
        return bases;
    }

    WorkerPool pool() {
        return pool;
    }

    @Override
    public ExpertInfo info() {
        return info;
    }

    /** Polls the workers now: healthy while one is up. */
    @Override
    public boolean probe() {
        pool.pollAll();
        return pool.anyUp();
    }

    /** A failure before any text, after which another worker may be tried. */
    private static final class PassOver extends Exception {
        PassOver(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Completion generate(ExpertRequest request, DeltaSink sink, Cancellation cancellation) {
        String requestId = RequestIds.current() == null ? UUID.randomUUID().toString() : RequestIds.current();
        String body = body(request);
        List<WorkerPool.Worker> tried = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        while (tried.size() < pool.workers().size()) {
            WorkerPool.Worker worker = pool.choose(tried).orElse(null);
            if (worker == null) {
                break;
            }
            if (!tried.isEmpty()) {
                retries.increment();
            }
            tried.add(worker);
            worker.inFlight.incrementAndGet();
            try {
                return attempt(worker, requestId, body, sink, cancellation);
            } catch (PassOver e) {
                reasons.add(worker + ": " + e.getMessage());
            } finally {
                worker.inFlight.decrementAndGet();
            }
        }
        pool.workers().stream().filter(w -> !tried.contains(w))
                .forEach(w -> reasons.add(w + ": down" + (w.lastError == null ? "" : " (" + w.lastError + ")")));
        throw new ExpertException(Kind.UNAVAILABLE, "no inference worker could answer (" + String.join("; ", reasons) + ")",
                true, null);
    }

    private Completion attempt(WorkerPool.Worker worker, String requestId, String body, DeltaSink sink, Cancellation cancellation)
            throws PassOver {
        Call call = new Call();
        cancellation.onCancel(call::cancel);
        Thread watchdog = Thread.ofVirtual().start(() -> call.watch(definition.firstTokenTimeout(), definition.requestTimeout()));
        try {
            HttpResponse<Stream<String>> response = send(worker, requestId, body, call);
            try (Stream<String> lines = response.body()) {
                call.attach(lines);
                int status = response.statusCode();
                if (status != 200) {
                    String message = errorMessage(lines.iterator());
                    call.throwIfStopped(false);
                    if (status == 400) {
                        throw new ExpertException(Kind.REJECTED, message, true, null);
                    }
                    if (status / 100 == 5 && status != 503) {
                        pool.down(worker, "answered " + status);
                    }
                    throw new PassOver("answered " + status + ": " + message);
                }
                return read(worker, lines.iterator(), sink, call);
            }
        } finally {
            watchdog.interrupt();
        }
    }

    private HttpResponse<Stream<String>> send(WorkerPool.Worker worker, String requestId, String body, Call call) throws PassOver {
        HttpRequest.Builder request = HttpRequest.newBuilder(worker.base.resolve("/internal/v1/generate"))
                .timeout(definition.firstTokenTimeout())
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + tokens.sign(requestId, Instant.now(), ServiceToken.MAX_LIFETIME))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.get().forEach(request::header);
        CompletableFuture<HttpResponse<Stream<String>>> future = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
        call.attach(future);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel();
            throw call.stopped(false);
        } catch (CancellationException e) {
            throw call.stopped(false);
        } catch (ExecutionException e) {
            call.throwIfStopped(false);
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new ExpertException(Kind.TIMEOUT, "inference worker " + worker + " sent nothing within "
                        + definition.firstTokenTimeout(), true, cause);
            }
            pool.down(worker, String.valueOf(cause));
            throw new PassOver("cannot be reached: " + cause);
        }
    }

    private Completion read(WorkerPool.Worker worker, Iterator<String> lines, DeltaSink sink, Call call) throws PassOver {
        StringBuilder text = new StringBuilder();
        try {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if (event.has("error")) {
                    String message = event.path("error").path("message").asString("error");
                    if (!call.delivered) {
                        throw new PassOver("failed: " + message);
                    }
                    throw new ExpertException(Kind.UPSTREAM_ERROR, "inference worker " + worker + " failed mid-answer: " + message,
                            false, null);
                }
                String delta = event.path("delta").stringValue(null);
                if (delta != null) {
                    call.delivered = true;
                    text.append(delta);
                    sink.delta(delta);
                    continue;
                }
                if (event.has("finish_reason")) {
                    JsonNode usage = event.path("usage");
                    return new Completion(text.toString(), event.path("finish_reason").asString("stop"),
                            new Completion.Usage(usage.path("prompt_tokens").intValue(0), usage.path("completion_tokens").intValue(0)));
                }
            }
        } catch (UncheckedIOException | JacksonException e) {
            call.throwIfStopped(call.delivered);
            return broken(worker, call, e instanceof UncheckedIOException u ? String.valueOf(u.getCause()) : "not JSON");
        }
        call.throwIfStopped(call.delivered);
        return broken(worker, call, "the stream ended before the answer did");
    }

    private Completion broken(WorkerPool.Worker worker, Call call, String reason) throws PassOver {
        pool.down(worker, "stream broke: " + reason);
        if (!call.delivered) {
            throw new PassOver("stream broke before the first token: " + reason);
        }
        throw new ExpertException(Kind.UPSTREAM_ERROR, "inference worker " + worker + " broke off mid-answer: " + reason, false,
                null);
    }

    private String body(ExpertRequest request) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        if (request.maxTokens() != null) body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) body.put("temperature", request.temperature());
        if (request.topP() != null) body.put("top_p", request.topP());
        if (request.seed() != null) body.put("seed", request.seed());
        if (!request.stop().isEmpty()) request.stop().forEach(body.putArray("stop")::add);
        if (request.presencePenalty() != null) body.put("presence_penalty", request.presencePenalty());
        if (request.frequencyPenalty() != null) body.put("frequency_penalty", request.frequencyPenalty());
        return JSON.writeValueAsString(body);
    }

    /** The message of an error body ({@code {"error":{"message":...}}}), or its start. */
    private static String errorMessage(Iterator<String> lines) {
        StringBuilder body = new StringBuilder();
        try {
            while (body.length() < 8192 && lines.hasNext()) {
                body.append(lines.next());
            }
            return JSON.readTree(body.toString()).path("error").path("message").asString(body.toString());
        } catch (UncheckedIOException | JacksonException e) {
            return body.toString();
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** One call to one worker, stoppable from another thread (the caller cancelling, the watchdog's deadlines). */
    private static final class Call {
        volatile boolean delivered;
        private Kind stoppedAs;
        private String stopReason;
        private CompletableFuture<?> future;
        private Stream<String> stream;

        synchronized void attach(CompletableFuture<?> future) {
            this.future = future;
            if (stoppedAs != null) future.cancel(true);
        }

        synchronized void attach(Stream<String> stream) {
            this.stream = stream;
            if (stoppedAs != null) stream.close();
        }

        void cancel() {
            stop(Kind.CANCELLED, "cancelled by the caller");
        }

        synchronized void stop(Kind kind, String reason) {
            if (stoppedAs != null) return;
            stoppedAs = kind;
            stopReason = reason;
            if (future != null) future.cancel(true);
            if (stream != null) stream.close(); // the worker sees the connection close and cancels the generation
        }

        synchronized ExpertException stopped(boolean delivered) {
            return new ExpertException(stoppedAs == null ? Kind.CANCELLED : stoppedAs, stopReason == null ? "cancelled" : stopReason,
                    !delivered, null);
        }

        synchronized void throwIfStopped(boolean delivered) {
            if (stoppedAs != null) throw stopped(delivered);
        }

        void watch(Duration firstToken, Duration whole) {
            Duration first = firstToken.compareTo(whole) < 0 ? firstToken : whole;
            try {
                Thread.sleep(first);
                if (!delivered) {
                    stop(Kind.TIMEOUT, "no token within " + first);
                    return;
                }
                Thread.sleep(whole.minus(first));
                stop(Kind.TIMEOUT, "answer took longer than " + whole);
            } catch (InterruptedException finished) {
                // the call ended first
            }
        }
    }
}
