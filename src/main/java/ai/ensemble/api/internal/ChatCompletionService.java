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
import ai.ensemble.router.Route;
import ai.ensemble.router.Router;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiErrorWriter;
import ai.ensemble.shared.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * One chat request from audit to answer: the request is committed to the audit log before any
 * model runs, the outcome (answer or error, with the routing decision) before the caller sees the
 * end of the answer. An audit failure fails the request (503) unless the deployment runs fail-open.
 */
@Service
public class ChatCompletionService {

    private static final String ENDPOINT = "/v1/chat/completions";
    // nginx's convention for "client closed the request", so audit queries can tell it from errors.
    private static final int CLIENT_CLOSED = 499;

    private final Router router;
    private final AuditLog audit;
    private final ApiMetrics metrics;
    private final OpenAiResponses responses;

    ChatCompletionService(Router router, AuditLog audit, ApiMetrics metrics, JsonMapper json) {
        this.router = router;
        this.audit = audit;
        this.metrics = metrics;
        this.responses = new OpenAiResponses(json);
    }

    /** A finished non-streamed answer and the route that produced it (after any retry). */
    public record Answer(String json, Route route) {
    }

    /** Records the request, then routes it: the expert the caller asked for (and may use), or the router's choice. */
    public Route admit(ChatExchange exchange) {
        Map<String, Object> request = new LinkedHashMap<>(exchange.request().parameters());
        if (exchange.clientRequestId() != null) {
            request.put("client_request_id", exchange.clientRequestId());
        }
        if (exchange.dataClassification() != null) {
            request.put("data_classification", exchange.dataClassification());
        }
        record(exchange, AuditEvent.Kind.REQUEST, null, null, request, null);
        try {
            return router.route(exchange.caller(), exchange.request().model(), exchange.request().expertRequest().messages(),
                    exchange.request().stream(), exchange.dataClassification());
        } catch (ApiException refused) {
            finish(exchange, null, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
    }

    /**
     * Answers without streaming: the JSON body of a {@code chat.completion}. When the router chose
     * and its expert fails before answering, the next best expert the caller may use answers.
     */
    public Answer complete(ChatExchange exchange, Route route) {
        Completion completion;
        while (true) {
            try {
                completion = route.expert().generate(route.request(exchange.request().expertRequest()), DeltaSink.IGNORE,
                        new Cancellation());
                router.succeeded(route.expertId());
                break;
            } catch (ExpertException e) {
                Route next = failed(route, e);
                if (next != null) {
                    route = next;
                    continue;
                }
                ApiError error = expertError(route.expert(), e);
                finish(exchange, route, error.status().value(), Map.of("error", e.getMessage(), "output", ""));
                throw failure(error, e);
            }
        }
        finish(exchange, route, 200, outcome(completion));
        metrics.tokens(route.expertId(), completion.usage());
        return new Answer(responses.completion(exchange.completionId(), exchange.created(), route.expertId(), completion), route);
    }

    /** Reports the failure to the router and returns the route to retry on, or null. */
    private Route failed(Route route, ExpertException e) {
        boolean expertsFault = switch (e.kind()) {
            case UNAVAILABLE, TIMEOUT, UPSTREAM_ERROR -> true;
            case CANCELLED, REJECTED, BUSY -> false;
        };
        if (!expertsFault) {
            return null;
        }
        router.failed(route.expertId(), e.kind() + ": " + e.getMessage());
        return e.beforeFirstToken() ? router.reroute(route).orElse(null) : null;
    }

    /**
     * Streams {@code chat.completion.chunk} events. Headers are committed with the first token,
     * so a failure before it still gets a proper error status (or, when the router chose, a retry
     * on the next best expert); after it, an error event and no {@code [DONE]}.
     */
    public void stream(ChatExchange exchange, Route chosen, SseOutput out) throws IOException {
        String id = exchange.completionId();
        long created = exchange.created();
        Route route = chosen;
        Completion completion;
        StringBuilder partial = new StringBuilder();
        while (true) {
            Route current = route;
            String model = current.expertId();
            Cancellation cancellation = new Cancellation();
            DeltaSink sink = text -> {
                try {
                    if (!out.started()) {
                        out.start(current.decision());
                        out.event(responses.chunk(id, created, model, "assistant", "", null));
                    }
                    partial.append(text);
                    out.event(responses.chunk(id, created, model, null, text, null));
                } catch (IOException e) {
                    cancellation.cancel();
                    throw new ClientGoneException(e);
                }
            };
            try {
                completion = current.expert().generate(current.request(exchange.request().expertRequest()), sink, cancellation);
                router.succeeded(model);
                break;
            } catch (ClientGoneException | ExpertException e) {
                Map<String, Object> body = Map.of("error", e.getMessage(), "output", partial.toString());
                if (e instanceof ClientGoneException || cancellation.isCancelled()) {
                    finish(exchange, current, CLIENT_CLOSED, body);
                    return;
                }
                ExpertException failure = (ExpertException) e;
                Route next = failed(current, failure);
                if (next != null && !out.started()) {
                    route = next;
                    continue;
                }
                ApiError error = expertError(current.expert(), failure);
                finish(exchange, current, error.status().value(), body);
                if (!out.started()) {
                    throw failure(error, failure);
                }
                out.event(errorEvent(error));
                return;
            }
        }
        String model = route.expertId();
        try {
            finish(exchange, route, 200, outcome(completion));
        } catch (ApiException auditFailed) {
            if (!out.started()) {
                throw auditFailed;
            }
            out.event(errorEvent(auditFailed.error()));
            return;
        }
        if (!out.started()) {
            out.start(route.decision());
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
    private void finish(ChatExchange exchange, Route route, int status, Map<String, Object> outcome) {
        long elapsed = System.nanoTime() - exchange.startedNanos();
        Map<String, Object> body = new LinkedHashMap<>(outcome);
        body.put("latency_ms", elapsed / 1_000_000.0);
        String expertId = route == null ? null : route.expertId();
        int recorded = status;
        try {
            record(exchange, AuditEvent.Kind.RESPONSE, expertId, status, body, route == null ? null : route.decision().audit());
        } catch (ApiException e) {
            recorded = e.error().status().value();
            throw e;
        } finally {
            metrics.request(expertId, recorded, exchange.caller().type().label(), elapsed);
        }
    }

    private void record(ChatExchange exchange, AuditEvent.Kind kind, String expertId, Integer status, Map<String, Object> body,
                        Map<String, Object> routing) {
        Caller caller = exchange.caller();
        try {
            audit.append(new AuditEvent(kind, exchange.requestId(), Instant.now(), caller.subject(), caller.type().label(),
                    caller.roles(), caller.apiKeyId(), exchange.clientApp(), ENDPOINT, exchange.request().model(),
                    expertId, status, null, body, routing));
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
