package ai.ensemble.api.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditUnavailableException;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertRequest;
import ai.ensemble.policy.Guardrails;
import ai.ensemble.policy.Screening;
import ai.ensemble.quota.QuotaService;
import ai.ensemble.rag.Passage;
import ai.ensemble.rag.Passages;
import ai.ensemble.rag.Retrieval;
import ai.ensemble.router.Route;
import ai.ensemble.router.Router;
import ai.ensemble.router.RoutingDecision;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiErrorWriter;
import ai.ensemble.shared.ApiException;
import io.micrometer.common.KeyValues;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * One chat request from audit to answer: the request is committed to the audit log before any
 * model runs, the outcome (answer or error, with the routing decision, the guardrail verdicts and
 * the tokens) before the caller sees the end of the answer. An audit failure fails the request
 * (503) unless the deployment runs fail-open.
 *
 * <p>In order: audit the request, route it, screen its input with the policies that apply to the
 * caller, its client app and the chosen expert (block: 400 naming the policy; redact: the expert gets
 * placeholders), reserve its largest possible token count in every quota that applies (429 with
 * Retry-After), run the expert, screen the answer (streamed: text leaves only after every output
 * policy scanned it; a block ends the stream with an error event), settle the quota with the tokens
 * used, audit the outcome.
 *
 * <p>Each stage runs in an observation ({@link ChatObservations}): a child span of the request's
 * server span when tracing is on, with identifiers, scores, counts and statuses, never text.
 */
@Service
public class ChatCompletionService {

    private static final String ENDPOINT = "/v1/chat/completions";
    // nginx's convention for "client closed the request", so audit queries can tell it from errors.
    private static final int CLIENT_CLOSED = 499;

    /** Output tokens reserved for a request that names no max_tokens (and that many it may then generate). */
    static final int DEFAULT_OUTPUT_RESERVE = 1024;
    /** Passages put into the prompt when the request or its expert names knowledge bases. */
    static final int PASSAGES = 4;

    private final Router router;
    private final AuditLog audit;
    private final ApiMetrics metrics;
    private final OpenAiResponses responses;
    private final Guardrails guardrails;
    private final QuotaService quotas;
    private final Retrieval retrieval;
    private final ChatObservations observations;

    ChatCompletionService(Router router, AuditLog audit, ApiMetrics metrics, JsonMapper json, Guardrails guardrails,
                          QuotaService quotas, Retrieval retrieval, ChatObservations observations) {
        this.router = router;
        this.audit = audit;
        this.metrics = metrics;
        this.responses = new OpenAiResponses(json);
        this.guardrails = guardrails;
        this.quotas = quotas;
        this.retrieval = retrieval;
        this.observations = observations;
    }

    /** A finished non-streamed answer and the route that produced it (after any retry). */
    public record Answer(String json, Route route) {
    }

    /**
     * A request cleared to run: where it goes, what the expert receives (after input guardrails and
     * the output cap a token budget sets), its output screening and the quota it holds (settled once).
     */
    public static final class Admitted {
        private final Route route;
        private final ExpertRequest request;
        private final Screening screening;
        private final QuotaService.Reservation reservation;
        private final List<Passage> passages;
        private boolean settled;

        Admitted(Route route, ExpertRequest request, Screening screening, QuotaService.Reservation reservation,
                 List<Passage> passages) {
            this.route = route;
            this.request = request;
            this.screening = screening;
            this.reservation = reservation;
            this.passages = List.copyOf(passages);
        }

        public Route route() {
            return route;
        }
    }

    /** The answer's text was blocked by an output policy mid-stream: generation stops. */
    private static final class OutputBlockedException extends RuntimeException {
        OutputBlockedException() {
            super("blocked by an output policy", null, false, false);
        }
    }

    /**
     * Records the request, routes it (the expert the caller asked for and may use, or the router's
     * choice), screens its input and reserves its tokens; each refusal is audited before it is thrown.
     */
    public Admitted admit(ChatExchange exchange) {
        Map<String, Object> request = new LinkedHashMap<>(exchange.request().parameters());
        if (exchange.clientRequestId() != null) {
            request.put("client_request_id", exchange.clientRequestId());
        }
        if (exchange.dataClassification() != null) {
            request.put("data_classification", exchange.dataClassification());
        }
        record(exchange, AuditEvent.Kind.REQUEST, null, null, request, null);
        Route route;
        try {
            route = observations.stage(ChatObservations.ROUTING, () -> router.route(exchange.caller(), exchange.request().model(),
                    exchange.request().expertRequest().messages(), exchange.request().stream(), exchange.dataClassification()),
                    ChatCompletionService::routeAttributes);
        } catch (ApiException refused) {
            finish(exchange, null, null, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
        ExpertRequest expertRequest = exchange.request().expertRequest();
        ScreenedInput screened = observations.stage(ChatObservations.INPUT_GUARDRAILS, () -> {
            Screening policies = guardrails.screen(exchange.caller(), exchange.clientApp(), route.expertId());
            return new ScreenedInput(policies, policies.policies().isEmpty() ? null
                    : policies.screenInput(exchange.request().expertRequest().messages().stream().map(ChatMessage::content).toList()));
        }, ScreenedInput::attributes);
        Screening screening = screened.screening();
        Admitted unreserved = new Admitted(route, expertRequest, screening, QuotaService.Reservation.NONE, List.of());
        if (screened.input() != null) {
            Screening.Input input = screened.input();
            if (input.blocked()) {
                ApiException refused = Guardrails.inputBlocked(input);
                finish(exchange, unreserved, route, refused.error().status().value(), Map.of("error", refused.getMessage()));
                throw refused;
            }
            List<ChatMessage> messages = new ArrayList<>(expertRequest.messages().size());
            for (int i = 0; i < expertRequest.messages().size(); i++) {
                messages.add(new ChatMessage(expertRequest.messages().get(i).role(), input.texts().get(i)));
            }
            expertRequest = withMessages(expertRequest, messages);
        }
        List<Passage> passages;
        try {
            ExpertRequest screenedRequest = expertRequest;
            passages = observations.stage(ChatObservations.RETRIEVAL, () -> retrieve(exchange, route, screenedRequest, screening),
                    found -> KeyValues.of("ensemble.rag.passages", String.valueOf(found.size())));
        } catch (ApiException refused) {
            finish(exchange, unreserved, route, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
        if (!passages.isEmpty()) {
            List<ChatMessage> grounded = new ArrayList<>(expertRequest.messages().size() + 1);
            grounded.add(new ChatMessage("system", Passages.promptBlock(passages)));
            grounded.addAll(expertRequest.messages());
            expertRequest = withMessages(expertRequest, grounded);
            unreserved = new Admitted(route, expertRequest, screening, QuotaService.Reservation.NONE, passages);
        }
        Screening.Limit promptLimit = screening.promptLimit();
        if (promptLimit != null && promptTokens(expertRequest) > promptLimit.tokens()) {
            ApiException refused = ApiError.invalidRequest("messages", "The prompt has about " + promptTokens(expertRequest)
                    + " tokens; policy '" + promptLimit.policy() + "' allows " + promptLimit.tokens()).exception();
            finish(exchange, unreserved, route, 400, Map.of("error", refused.getMessage()));
            throw refused;
        }
        Screening.Limit outputLimit = screening.outputLimit();
        if (outputLimit != null) {
            if (expertRequest.maxTokens() != null && expertRequest.maxTokens() > outputLimit.tokens()) {
                ApiException refused = ApiError.invalidRequest("max_tokens", "'max_tokens' is " + expertRequest.maxTokens()
                        + "; policy '" + outputLimit.policy() + "' allows at most " + outputLimit.tokens()).exception();
                finish(exchange, unreserved, route, 400, Map.of("error", refused.getMessage()));
                throw refused;
            }
            if (expertRequest.maxTokens() == null) {
                expertRequest = withMaxTokens(expertRequest, outputLimit.tokens());
            }
        }
        QuotaService.Reservation reservation;
        try {
            long most = mostTokens(expertRequest);
            reservation = observations.stage(ChatObservations.QUOTA, () -> quotas.reserve(exchange.caller(), most),
                    held -> KeyValues.of("ensemble.quota.reserved_tokens", String.valueOf(held.tokens()),
                            "ensemble.quota.budgets", String.valueOf(held.held().size())));
        } catch (ApiException refused) {
            finish(exchange, unreserved, route, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
        if (expertRequest.maxTokens() == null && reservation.held().stream().anyMatch(held -> held.tokens() > 0)) {
            expertRequest = withMaxTokens(expertRequest, DEFAULT_OUTPUT_RESERVE); // what was reserved bounds what may be spent
        }
        return new Admitted(route, expertRequest, screening, reservation, passages);
    }

    /** The input screening of one request: the policies that apply, and the screened messages (null when none apply). */
    private record ScreenedInput(Screening screening, Screening.Input input) {
        KeyValues attributes() {
            return KeyValues.of("ensemble.guardrail.policies", String.valueOf(screening.policies().size()),
                    "ensemble.guardrail.blocked", String.valueOf(input != null && input.blocked()));
        }
    }

    /** The routing decision on its span: which expert, how it was chosen, with what score. */
    private static KeyValues routeAttributes(Route route) {
        RoutingDecision decision = route.decision();
        KeyValues attributes = KeyValues.of("ensemble.expert.id", route.expertId(), "ensemble.route.mode", decision.mode(),
                "ensemble.route.fallback", String.valueOf(decision.fallback()));
        return decision.confidence() == null ? attributes
                : attributes.and("ensemble.route.score", String.valueOf(decision.confidence()));
    }

    /**
     * The passages for the request: its knowledge bases (each must be readable), else its expert's
     * defaults the caller may read; an input policy that screens context may drop or redact some.
     */
    private List<Passage> retrieve(ChatExchange exchange, Route route, ExpertRequest request, Screening screening) {
        List<Passage> passages = retrieval.retrieveForChat(exchange.caller(), lastUserText(request), route.expertId(),
                exchange.request().kbs(), PASSAGES);
        if (passages.isEmpty() || !screening.screensContext()) {
            return passages;
        }
        List<String> screened = screening.screenContext(passages.stream().map(Passage::text).toList());
        List<Passage> kept = new ArrayList<>();
        for (int i = 0; i < passages.size(); i++) {
            Passage p = passages.get(i);
            if (screened.get(i) != null) {
                kept.add(new Passage(p.kbId(), p.documentId(), p.externalId(), p.title(), p.section(), p.chunkId(), p.score(),
                        screened.get(i)));
            }
        }
        return kept;
    }

    /**
     * One attempt of an expert, in its own observation: the first token it produces is an event on
     * the span, the tokens it used attributes; a failure (its own, a blocked answer, a client gone)
     * is the span's outcome. The exception is rethrown as it came.
     */
    private Completion generate(Route route, ExpertRequest request, long startedNanos, DeltaSink sink, Cancellation cancellation) {
        try (ChatObservations.ExpertCall call = observations.expertCall(route.expertId(), startedNanos)) {
            try {
                Completion completion = route.expert().generate(route.request(request), text -> {
                    call.firstToken();
                    sink.delta(text);
                }, cancellation);
                call.completed(completion);
                return completion;
            } catch (RuntimeException e) {
                call.failed(switch (e) {
                    case ExpertException expert -> expert.kind().name().toLowerCase(Locale.ROOT);
                    case OutputBlockedException blocked -> "output_blocked";
                    case ClientGoneException gone -> "client_gone";
                    default -> "error";
                }, e);
                throw e;
            }
        }
    }

    /**
     * The most tokens a request can use, as a quota reservation: its prompt can't have more tokens than
     * UTF-8 bytes (byte-level BPE and byte fallback never exceed one token per byte) plus what a chat
     * template adds per message, and its answer no more than max_tokens (or the default reserve).
     */
    static long mostTokens(ExpertRequest request) {
        long prompt = 16;
        for (ChatMessage message : request.messages()) {
            prompt += message.content().getBytes(StandardCharsets.UTF_8).length + 8;
        }
        return prompt + (request.maxTokens() == null ? DEFAULT_OUTPUT_RESERVE : request.maxTokens());
    }

    /** The text retrieval searches for: the last user message (after input guardrails). */
    private static String lastUserText(ExpertRequest request) {
        for (ChatMessage message : request.messages().reversed()) {
            if (message.role().equals("user")) {
                return message.content();
            }
        }
        return request.messages().getLast().content();
    }

    /**
     * A prompt's size in tokens as a size limit reads it: UTF-8 bytes / 4, rounded up (the usual ratio of
     * Llama 3 and GPT tokenizers on English; the gateway does not know every expert's tokenizer).
     */
    static long promptTokens(ExpertRequest request) {
        long bytes = 0;
        for (ChatMessage message : request.messages()) {
            bytes += message.content().getBytes(StandardCharsets.UTF_8).length;
        }
        return (bytes + 3) / 4;
    }

    private static ExpertRequest withMessages(ExpertRequest r, List<ChatMessage> messages) {
        return new ExpertRequest(messages, r.temperature(), r.topP(), r.maxTokens(), r.stop(), r.seed(), r.presencePenalty(),
                r.frequencyPenalty(), r.user());
    }

    private static ExpertRequest withMaxTokens(ExpertRequest r, int maxTokens) {
        return new ExpertRequest(r.messages(), r.temperature(), r.topP(), maxTokens, r.stop(), r.seed(), r.presencePenalty(),
                r.frequencyPenalty(), r.user());
    }

    /**
     * Answers without streaming: the JSON body of a {@code chat.completion}. When the router chose
     * and its expert fails before answering, the next best expert the caller may use answers.
     */
    public Answer complete(ChatExchange exchange, Admitted admitted) {
        Route route = admitted.route;
        Completion completion;
        while (true) {
            try {
                completion = generate(route, admitted.request, exchange.startedNanos(), DeltaSink.IGNORE, new Cancellation());
                router.succeeded(route.expertId());
                break;
            } catch (ExpertException e) {
                Route next = failed(route, e);
                if (next != null) {
                    route = next;
                    continue;
                }
                ApiError error = expertError(route.expert(), e);
                finish(exchange, admitted, route, error.status().value(), Map.of("error", e.getMessage(), "output", ""));
                throw failure(error, e);
            }
        }
        if (admitted.screening.screensOutput()) {
            String text = completion.text();
            Screening.Output output = observations.stage(ChatObservations.OUTPUT_GUARDRAILS,
                    () -> admitted.screening.screenOutput(text),
                    screened -> KeyValues.of("ensemble.guardrail.blocked", String.valueOf(screened.blocked())));
            if (output.blocked()) {
                ApiError error = Guardrails.outputBlocked(output.blockedBy(), output.blockedType());
                Map<String, Object> body = new LinkedHashMap<>(outcome(completion));
                body.put("output", "");
                body.put("error", error.message());
                finish(exchange, admitted, route, error.status().value(), body);
                throw error.exception();
            }
            completion = new Completion(output.text(), completion.finishReason(), completion.usage());
        }
        finish(exchange, admitted, route, 200, outcome(completion));
        metrics.tokens(route.expertId(), completion.usage());
        return new Answer(responses.completion(exchange.completionId(), exchange.created(), route.expertId(), completion,
                Passages.citations(admitted.passages), guardrails(admitted)), route);
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
    public void stream(ChatExchange exchange, Admitted admitted, SseOutput out) throws IOException {
        String id = exchange.completionId();
        long created = exchange.created();
        Route route = admitted.route;
        Completion completion;
        StringBuilder partial = new StringBuilder(); // exactly what the client was sent
        Screening.Stream guard = admitted.screening.screensOutput() ? admitted.screening.stream() : null;
        while (true) {
            Route current = route;
            String model = current.expertId();
            Cancellation cancellation = new Cancellation();
            DeltaSink sink = text -> {
                String released = guard == null ? text : guard.accept(text);
                if (guard != null && guard.blocked()) {
                    cancellation.cancel();
                    throw new OutputBlockedException();
                }
                send(out, current, id, created, exchange.startedNanos(), released, partial, cancellation);
            };
            try {
                completion = generate(current, admitted.request, exchange.startedNanos(), sink, cancellation);
                router.succeeded(model);
                break;
            } catch (OutputBlockedException blocked) {
                streamBlocked(exchange, admitted, current, guard, partial, out);
                return;
            } catch (ClientGoneException | ExpertException e) {
                Map<String, Object> body = Map.of("error", e.getMessage(), "output", partial.toString());
                if (e instanceof ClientGoneException || cancellation.isCancelled()) {
                    finish(exchange, admitted, current, CLIENT_CLOSED, body);
                    return;
                }
                ExpertException failure = (ExpertException) e;
                Route next = failed(current, failure);
                if (next != null && !out.started() && (guard == null || guard.sent().isEmpty())) {
                    route = next;
                    continue;
                }
                ApiError error = expertError(current.expert(), failure);
                finish(exchange, admitted, current, error.status().value(), body);
                if (!out.started()) {
                    throw failure(error, failure);
                }
                out.event(errorEvent(error));
                return;
            }
        }
        String model = route.expertId();
        if (guard != null) {
            // the stream was scanned as it passed; this stage is the final scan of what was held back
            String tail = observations.stage(ChatObservations.OUTPUT_GUARDRAILS, guard::finish,
                    released -> KeyValues.of("ensemble.guardrail.blocked", String.valueOf(guard.blocked()),
                            "ensemble.guardrail.mode", "streamed"));
            if (guard.blocked()) {
                streamBlocked(exchange, admitted, route, guard, partial, out);
                return;
            }
            try {
                send(out, route, id, created, exchange.startedNanos(), tail, partial, new Cancellation());
            } catch (ClientGoneException gone) {
                finish(exchange, admitted, route, CLIENT_CLOSED, Map.of("error", gone.getMessage(), "output", partial.toString()));
                return;
            }
            completion = new Completion(partial.toString(), completion.finishReason(), completion.usage());
        }
        try {
            finish(exchange, admitted, route, 200, outcome(completion));
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
        out.event(responses.chunk(id, created, model, null, null, completion.finishReason(), Passages.citations(admitted.passages),
                guardrails(admitted)));
        if (exchange.request().includeUsage()) {
            out.event(responses.usageChunk(id, created, model, completion.usage()));
        }
        out.event("[DONE]");
        metrics.tokens(model, completion.usage());
    }

    /**
     * What the answer tells its caller about guardrails (Ensemble's extension): the policies that
     * applied and their verdicts, as the audit record has them; null when no policy applied.
     */
    private static Map<String, Object> guardrails(Admitted admitted) {
        if (admitted.screening.policies().isEmpty()) {
            return null;
        }
        return Map.of("policies", admitted.screening.policies(), "verdicts", admitted.screening.evidence());
    }

    /** Sends released text as a chunk (nothing for ""), starting the response on the first one. */
    private void send(SseOutput out, Route route, String id, long created, long startedNanos, String text, StringBuilder partial,
                      Cancellation cancellation) {
        if (text.isEmpty()) {
            return;
        }
        try {
            if (!out.started()) {
                out.start(route.decision());
                out.event(responses.chunk(id, created, route.expertId(), "assistant", "", null));
                metrics.firstToken(route.expertId(), System.nanoTime() - startedNanos);
            }
            partial.append(text);
            out.event(responses.chunk(id, created, route.expertId(), null, text, null));
        } catch (IOException e) {
            cancellation.cancel();
            throw new ClientGoneException(e);
        }
    }

    /** An output policy blocked the stream: the outcome says exactly what was sent, then an error event (or a 403 if nothing was). */
    private void streamBlocked(ChatExchange exchange, Admitted admitted, Route route, Screening.Stream guard, StringBuilder partial,
                               SseOutput out) throws IOException {
        ApiError error = Guardrails.outputBlocked(guard.blockedBy(), guard.blockedType());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.message());
        body.put("output", partial.toString());
        body.put("finish_reason", "content_filter");
        finish(exchange, admitted, route, error.status().value(), body);
        if (!out.started()) {
            throw error.exception();
        }
        out.event(errorEvent(error));
    }

    private static Map<String, Object> outcome(Completion completion) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("output", completion.text());
        body.put("finish_reason", completion.finishReason());
        body.put("prompt_tokens", completion.usage().promptTokens());
        body.put("completion_tokens", completion.usage().completionTokens());
        return body;
    }

    /**
     * Settles the request's quota with the tokens it used, then commits the outcome event (with the
     * guardrail verdicts) and counts the request; 503 when the audit store fails closed.
     */
    private void finish(ChatExchange exchange, Admitted admitted, Route route, int status, Map<String, Object> outcome) {
        long elapsed = System.nanoTime() - exchange.startedNanos();
        Map<String, Object> body = new LinkedHashMap<>(outcome);
        body.put("latency_ms", elapsed / 1_000_000.0);
        if (admitted != null) {
            if (!admitted.passages.isEmpty()) {
                body.put("retrieved", admitted.passages.stream().map(p -> Map.of("kb", p.kbId(), "document_id", p.documentId(),
                        "chunk_id", p.chunkId(), "title", p.title(), "score", p.score())).toList());
            }
            if (!admitted.screening.policies().isEmpty()) {
                body.put("guardrails", Map.of("policies", admitted.screening.policies(), "verdicts", admitted.screening.evidence()));
            }
            if (!admitted.settled) {
                admitted.settled = true;
                long used = outcome.get("prompt_tokens") instanceof Integer p && outcome.get("completion_tokens") instanceof Integer c ? p + c : 0;
                quotas.settle(admitted.reservation, used);
                if (!admitted.reservation.held().isEmpty()) {
                    body.put("quota", Map.of("reserved_tokens", admitted.reservation.tokens(), "used_tokens", used));
                }
            }
        }
        String expertId = route == null ? null : route.expertId();
        String guardrailAction = admitted == null ? null : strongestAction(admitted.screening.evidence());
        int recorded = status;
        try {
            record(exchange, AuditEvent.Kind.RESPONSE, expertId, status, body, route == null ? null : route.decision().audit(),
                    guardrailAction);
        } catch (ApiException e) {
            recorded = e.error().status().value();
            throw e;
        } finally {
            metrics.request(expertId, recorded, exchange.caller().type().label(), elapsed);
        }
    }

    /** The strongest action among the verdicts (block, redact, flag), the audit log's guardrail filter; null for none. */
    private static String strongestAction(List<Map<String, Object>> verdicts) {
        for (String action : List.of("block", "redact", "flag")) {
            if (verdicts.stream().anyMatch(v -> action.equals(v.get("action")))) {
                return action;
            }
        }
        return null;
    }

    private void record(ChatExchange exchange, AuditEvent.Kind kind, String expertId, Integer status, Map<String, Object> body,
                        Map<String, Object> routing) {
        record(exchange, kind, expertId, status, body, routing, null);
    }

    private void record(ChatExchange exchange, AuditEvent.Kind kind, String expertId, Integer status, Map<String, Object> body,
                        Map<String, Object> routing, String guardrailAction) {
        Caller caller = exchange.caller();
        AuditEvent event = new AuditEvent(kind, exchange.requestId(), Instant.now(), caller.subject(), caller.type().label(),
                caller.roles(), caller.apiKeyId(), exchange.clientApp(), ENDPOINT, exchange.request().model(),
                expertId, status, guardrailAction, body, routing);
        KeyValues attributes = KeyValues.of("ensemble.audit.kind", kind.name().toLowerCase(Locale.ROOT));
        if (status != null) {
            attributes = attributes.and("ensemble.status", status.toString());
        }
        try {
            observations.stage(ChatObservations.AUDIT_COMMIT, () -> audit.append(event), attributes);
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
