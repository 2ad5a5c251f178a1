package ai.ensemble.api.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditUnavailableException;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertRegistry;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Permissions;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiErrorWriter;
import ai.ensemble.shared.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * One chat request from audit to answer: the request is committed to the audit log before any
 * model runs, the outcome (answer or error) before the caller sees the end of the answer. An
 * audit failure fails the request (503) unless the deployment runs fail-open.
 */
@Service
public class ChatCompletionService {

    private static final String ENDPOINT = "/v1/chat/completions";
    // nginx's convention for "client closed the request", so audit queries can tell it from errors.
    private static final int CLIENT_CLOSED = 499;

    private final ExpertRegistry experts;
    private final AuditLog audit;
    private final ApiMetrics metrics;
    private final OpenAiResponses responses;

    ChatCompletionService(ExpertRegistry experts, AuditLog audit, ApiMetrics metrics, JsonMapper json) {
        this.experts = experts;
        this.audit = audit;
        this.metrics = metrics;
        this.responses = new OpenAiResponses(json);
    }

    /** Records the request, then resolves the expert the caller asked for and may use. */
    public Expert admit(ChatExchange exchange) {
        Map<String, Object> request = new LinkedHashMap<>(exchange.request().parameters());
        if (exchange.clientRequestId() != null) {
            request.put("client_request_id", exchange.clientRequestId());
        }
        record(exchange, AuditEvent.Kind.REQUEST, null, null, request);
        String model = exchange.request().model();
        try {
            Expert expert = experts.find(model).orElseThrow(() -> ApiError.notFound("model",
                    "The model '" + model + "' does not exist or is not served here", "model_not_found").exception());
            if (!exchange.caller().can(Permissions.expert(model))) {
                throw ApiError.forbidden("Your roles do not grant the permission '" + Permissions.expert(model) + "'").exception();
            }
            return expert;
        } catch (ApiException refused) {
            finish(exchange, null, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
    }

    /** Answers without streaming: the JSON body of a {@code chat.completion}. */
    public String complete(ChatExchange exchange, Expert expert) {
        Completion completion;
        try {
            completion = expert.generate(exchange.request().expertRequest(), DeltaSink.IGNORE, new Cancellation());
        } catch (ExpertException e) {
            ApiError error = expertError(expert, e);
            finish(exchange, expert, error.status().value(), Map.of("error", e.getMessage(), "output", ""));
            throw failure(error, e);
        }
        finish(exchange, expert, 200, outcome(completion));
        metrics.tokens(expert.info().id(), completion.usage());
        return responses.completion(exchange.completionId(), exchange.created(), expert.info().id(), completion);
    }

    /**
     * Streams {@code chat.completion.chunk} events. Headers are committed with the first token,
     * so a failure before it still gets a proper error status; after it, an error event and no
     * {@code [DONE]}.
     */
    public void stream(ChatExchange exchange, Expert expert, SseOutput out) throws IOException {
        String id = exchange.completionId();
        long created = exchange.created();
        String model = expert.info().id();
        Cancellation cancellation = new Cancellation();
        StringBuilder partial = new StringBuilder();
        DeltaSink sink = text -> {
            try {
                if (!out.started()) {
                    out.start(model);
                    out.event(responses.chunk(id, created, model, "assistant", "", null));
                }
                partial.append(text);
                out.event(responses.chunk(id, created, model, null, text, null));
            } catch (IOException e) {
                cancellation.cancel();
                throw new ClientGoneException(e);
            }
        };
        Completion completion;
        try {
            completion = expert.generate(exchange.request().expertRequest(), sink, cancellation);
        } catch (ClientGoneException | ExpertException e) {
            Map<String, Object> body = Map.of("error", e.getMessage(), "output", partial.toString());
            if (e instanceof ClientGoneException || cancellation.isCancelled()) {
                finish(exchange, expert, CLIENT_CLOSED, body);
                return;
            }
            ApiError error = expertError(expert, (ExpertException) e);
            finish(exchange, expert, error.status().value(), body);
            if (!out.started()) {
                throw failure(error, (ExpertException) e);
            }
            out.event(errorEvent(error));
            return;
        }
        try {
            finish(exchange, expert, 200, outcome(completion));
        } catch (ApiException auditFailed) {
            if (!out.started()) {
                throw auditFailed;
            }
            out.event(errorEvent(auditFailed.error()));
            return;
        }
        if (!out.started()) {
            out.start(model);
            out.event(responses.chunk(id, created, model, "assistant", "", null));
        }
        out.event(responses.chunk(id, created, model, null, null, completion.finishReason()));
        if (exchange.request().includeUsage()) {
            out.event(responses.usageChunk(id, created, model, completion.usage()));
        }
        out.event("[DONE]");
        metrics.tokens(model, completion.usage());
    }

    private static Map<String, Object> outcome(Completion completion) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("output", completion.text());
        body.put("finish_reason", completion.finishReason());
        body.put("prompt_tokens", completion.usage().promptTokens());
        body.put("completion_tokens", completion.usage().completionTokens());
        return body;
    }

    /** Commits the outcome event and counts the request; 503 when the audit store fails closed. */
    private void finish(ChatExchange exchange, Expert expert, int status, Map<String, Object> outcome) {
        long elapsed = System.nanoTime() - exchange.startedNanos();
        Map<String, Object> body = new LinkedHashMap<>(outcome);
        body.put("latency_ms", elapsed / 1_000_000.0);
        String expertId = expert == null ? null : expert.info().id();
        int recorded = status;
        try {
            record(exchange, AuditEvent.Kind.RESPONSE, expertId, status, body);
        } catch (ApiException e) {
            recorded = e.error().status().value();
            throw e;
        } finally {
            metrics.request(expertId, recorded, exchange.caller().type().label(), elapsed);
        }
    }

    private void record(ChatExchange exchange, AuditEvent.Kind kind, String expertId, Integer status, Map<String, Object> body) {
        Caller caller = exchange.caller();
        try {
            audit.append(new AuditEvent(kind, exchange.requestId(), Instant.now(), caller.subject(), caller.type().label(),
                    caller.roles(), caller.apiKeyId(), exchange.clientApp(), ENDPOINT, exchange.request().model(),
                    expertId, status, null, body));
        } catch (AuditUnavailableException e) {
            throw ApiError.unavailable("The audit log is unavailable, so the request was not processed; retry later",
                    "audit_unavailable").exception();
        }
    }

    private static ApiError expertError(Expert expert, ExpertException e) {
        String id = expert.info().id();
        return switch (e.kind()) {
            case UNAVAILABLE -> ApiError.unavailable("Expert '" + id + "' is unavailable: " + e.getMessage(), "expert_unavailable");
            case TIMEOUT -> new ApiError(HttpStatus.GATEWAY_TIMEOUT, "Expert '" + id + "' timed out: " + e.getMessage(),
                    "timeout_error", null, "expert_timeout");
            case UPSTREAM_ERROR, CANCELLED -> ApiError.upstream("Expert '" + id + "' failed: " + e.getMessage());
            case REJECTED -> new ApiError(HttpStatus.BAD_REQUEST, e.getMessage(), "invalid_request_error", "messages",
                    "context_length_exceeded");
            case BUSY -> new ApiError(HttpStatus.TOO_MANY_REQUESTS, "Expert '" + id + "' is busy; retry after "
                    + retryAfter(e) + " s: " + e.getMessage(), "rate_limit_error", null, "engine_busy");
        };
    }

    /** The error to throw before the response started; a busy expert's carries {@code Retry-After} (seconds). */
    static ApiException failure(ApiError error, ExpertException e) {
        if (e.kind() == ExpertException.Kind.BUSY) {
            return new ApiException(error, Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfter(e))));
        }
        return error.exception();
    }

    private static int retryAfter(ExpertException e) {
        return e.retryAfterSeconds() == null ? 1 : Math.max(1, e.retryAfterSeconds());
    }

    private static String errorEvent(ApiError error) {
        return new String(ApiErrorWriter.bytes(error), StandardCharsets.UTF_8);
    }
}
