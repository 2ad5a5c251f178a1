package ai.ensemble.expert.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

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
import ai.ensemble.shared.TraceHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An expert served by any OpenAI-compatible server ({@code POST {baseUrl}/chat/completions}).
 * Always streams from the upstream, even for callers that want one answer, so that every request
 * is bounded by the same first-token and whole-request deadlines and can be cancelled mid-answer.
 * Each request carries the W3C trace context of the caller's span ({@code traceparent}).
 */
final class UpstreamExpert implements Expert {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ERROR_BODY_LIMIT = 8 * 1024;

    private final ExpertDefinition definition;
    private final HttpClient http;
    private final URI endpoint;
    private final URI models;
    private final ExpertInfo info;
    private final Runnable retried;

    UpstreamExpert(ExpertDefinition definition, HttpClient http) {
        this(definition, http, () -> {
        });
    }

    /** {@code retried} runs before each second or later attempt to reach the server (a retry metric). */
    UpstreamExpert(ExpertDefinition definition, HttpClient http, Runnable retried) {
        this.definition = definition;
        this.http = http;
        this.retried = retried;
        String base = definition.baseUrl() == null ? "" : definition.baseUrl().strip().replaceAll("/+$", "");
        if (!base.matches("https?://[^/]+.*")) {
            throw new IllegalStateException("expert '" + definition.id() + "': baseUrl must be an http(s) URL such as "
                    + "http://host:8000/v1, not '" + definition.baseUrl() + "'");
        }
        this.endpoint = URI.create(base + "/chat/completions");
        this.models = URI.create(base + "/models");
        this.info = new ExpertInfo(definition.id(), definition.displayName() == null ? definition.id() : definition.displayName(),
                definition.description(), endpoint.getHost(), true, definition.contextLength());
    }

    @Override
    public ExpertInfo info() {
        return info;
    }

    /** {@code GET {baseUrl}/models} answers 2xx within the connect timeout plus five seconds. */
    @Override
    public boolean probe() {
        HttpRequest.Builder request = HttpRequest.newBuilder(models)
                .timeout(definition.connectTimeout().plus(Duration.ofSeconds(5)))
                .GET();
        if (definition.apiKey() != null && !definition.apiKey().isBlank()) {
            request.header("Authorization", "Bearer " + definition.apiKey());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Completion generate(ExpertRequest request, DeltaSink sink, Cancellation cancellation) {
        Call call = new Call();
        cancellation.onCancel(() -> call.abort(Kind.CANCELLED, "cancelled by the caller"));
        // HttpRequest.timeout stops at the response headers, but servers such as vLLM send those
        // at once and the first token only after prefill, so a watchdog owns both deadlines.
        Thread watchdog = Thread.ofVirtual().start(() -> call.watch(definition.firstTokenTimeout(), definition.requestTimeout()));
        try {
            HttpResponse<Stream<String>> response = send(httpRequest(request), call);
            try (Stream<String> lines = response.body()) {
                call.attach(lines);
                if (response.statusCode() / 100 != 2) {
                    String message = errorMessage(readBounded(lines.iterator()));
                    call.throwIfAborted(null);
                    throw new ExpertException(Kind.UPSTREAM_ERROR, "upstream answered " + response.statusCode()
                            + (message == null ? "" : ": " + message), true, null);
                }
                return read(lines.iterator(), sink, call);
            }
        } finally {
            watchdog.interrupt();
        }
    }

    private HttpResponse<Stream<String>> send(HttpRequest request, Call call) {
        for (int attempt = 1; ; attempt++) {
            call.throwIfAborted(null);
            CompletableFuture<HttpResponse<Stream<String>>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
            call.attach(future);
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.abort(Kind.CANCELLED, "interrupted");
                throw call.failure(e);
            } catch (CancellationException e) {
                throw call.failure(e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
                call.throwIfAborted(cause);
                if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
                    throw new ExpertException(Kind.TIMEOUT, "no response from " + endpoint + " within "
                            + definition.firstTokenTimeout(), true, cause);
                }
                if (!(cause instanceof IOException)) {
                    throw new ExpertException(Kind.UPSTREAM_ERROR, "request to " + endpoint + " failed: " + cause, true, cause);
                }
                // No status and no text yet, so the caller has seen nothing and a second try cannot
                // duplicate output (at worst the upstream does the work twice, if it ever got the request).
                if (attempt > definition.maxRetries()) {
                    throw new ExpertException(Kind.UNAVAILABLE, "cannot reach " + endpoint + " (" + attempt
                            + " attempts): " + cause, true, cause);
                }
                retried.run();
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    call.abort(Kind.CANCELLED, "interrupted");
                }
            }
        }
    }

    private Completion read(Iterator<String> lines, DeltaSink sink, Call call) {
        StringBuilder text = new StringBuilder();
        String finishReason = null;
        Completion.Usage usage = new Completion.Usage(0, 0);
        boolean done = false;
        try {
            while (!done && lines.hasNext()) {
                String line = lines.next();
                if (!line.startsWith("data:")) {
                    continue; // blank separators, comments and other SSE fields carry nothing for us
                }
                String data = line.substring(5).strip();
                done = data.equals("[DONE]");
                if (done) {
                    continue;
                }
                call.started = true;
                JsonNode chunk = JSON.readTree(data);
                String error = errorMessage(chunk);
                if (error != null) {
                    throw new ExpertException(Kind.UPSTREAM_ERROR, "upstream failed mid-answer: " + error, !call.delivered, null);
                }
                JsonNode choice = chunk.path("choices").path(0);
                String content = choice.path("delta").path("content").stringValue(null);
                if (content != null && !content.isEmpty()) {
                    text.append(content);
                    call.delivered = true;
                    sink.delta(content);
                }
                finishReason = choice.path("finish_reason").stringValue(finishReason);
                if (chunk.path("usage").isObject()) {
                    usage = new Completion.Usage(chunk.path("usage").path("prompt_tokens").intValue(0),
                            chunk.path("usage").path("completion_tokens").intValue(0));
                }
            }
        } catch (UncheckedIOException e) {
            call.throwIfAborted(e);
            throw new ExpertException(Kind.UPSTREAM_ERROR, "stream from " + endpoint + " broke: " + e.getCause(), !call.delivered, e);
        } catch (JacksonException e) {
            throw new ExpertException(Kind.UPSTREAM_ERROR, "upstream sent an event that is not JSON: " + e.getOriginalMessage(),
                    !call.delivered, e);
        }
        call.throwIfAborted(null); // closing the stream from another thread may look like its end
        if (!done && finishReason == null) {
            throw new ExpertException(Kind.UPSTREAM_ERROR, "stream from " + endpoint + " ended early", !call.delivered, null);
        }
        return new Completion(text.toString(), finishReason == null ? "stop" : finishReason, usage);
    }

    private HttpRequest httpRequest(ExpertRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", definition.model() == null || definition.model().isBlank() ? definition.id() : definition.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        if (request.temperature() != null) body.put("temperature", request.temperature());
        if (request.topP() != null) body.put("top_p", request.topP());
        if (request.maxTokens() != null) body.put("max_tokens", request.maxTokens());
        if (!request.stop().isEmpty()) request.stop().forEach(body.putArray("stop")::add);
        if (request.seed() != null) body.put("seed", request.seed());
        if (request.presencePenalty() != null) body.put("presence_penalty", request.presencePenalty());
        if (request.frequencyPenalty() != null) body.put("frequency_penalty", request.frequencyPenalty());
        if (request.user() != null) body.put("user", request.user());
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(definition.firstTokenTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (definition.apiKey() != null && !definition.apiKey().isBlank()) {
            builder.header("Authorization", "Bearer " + definition.apiKey());
        }
        TraceHeaders.current().forEach(builder::header);
        return builder.build();
    }

    /** The start of an error body, parsed when it is JSON; a body cut short or not JSON just goes unreported. */
    private static JsonNode readBounded(Iterator<String> lines) {
        StringBuilder body = new StringBuilder();
        try {
            while (body.length() < ERROR_BODY_LIMIT && lines.hasNext()) {
                body.append(lines.next()).append('\n');
            }
            return JSON.readTree(body.toString());
        } catch (UncheckedIOException | JacksonException e) {
            return JSON.missingNode();
        }
    }

    /**
     * OpenAI's {@code {"error": {"message": ...}}}, which vLLM nests one level deeper in some versions,
     * or vLLM's older top-level {@code {"object": "error", "message": ...}}.
     */
    private static String errorMessage(JsonNode node) {
        JsonNode error = node.path("error");
        if (error.isString()) return error.stringValue();
        if (error.isObject()) return error.findPath("message").stringValue(error.toString());
        return node.path("object").stringValue("").equals("error") ? node.path("message").stringValue("error") : null;
    }

    /** What one generation holds open, so another thread (caller, watchdog) can stop it. */
    private static final class Call {
        volatile boolean started;
        volatile boolean delivered;
        private Kind abortKind;
        private String abortMessage;
        private CompletableFuture<?> future;
        private Stream<String> stream;

        synchronized void attach(CompletableFuture<?> future) {
            this.future = future;
            if (abortKind != null) future.cancel(true);
        }

        synchronized void attach(Stream<String> stream) {
            this.stream = stream;
            if (abortKind != null) stream.close();
        }

        synchronized void abort(Kind kind, String message) {
            if (abortKind != null) return;
            abortKind = kind;
            abortMessage = message;
            if (future != null) future.cancel(true);
            if (stream != null) stream.close();
        }

        synchronized ExpertException failure(Throwable cause) {
            return new ExpertException(abortKind == null ? Kind.UPSTREAM_ERROR : abortKind,
                    abortMessage == null ? String.valueOf(cause) : abortMessage, !delivered, cause);
        }

        synchronized void throwIfAborted(Throwable cause) {
            if (abortKind != null) throw failure(cause);
        }

        void watch(Duration firstToken, Duration whole) {
            Duration first = firstToken.compareTo(whole) < 0 ? firstToken : whole;
            try {
                Thread.sleep(first);
                if (!started) {
                    abort(Kind.TIMEOUT, "no token within " + first);
                    return;
                }
                Thread.sleep(whole.minus(first));
                abort(Kind.TIMEOUT, "answer took longer than " + whole);
            } catch (InterruptedException finished) {
                // the generation ended first
            }
        }
    }
}
