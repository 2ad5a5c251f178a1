package ai.ensemble.api;

import java.io.IOException;

import ai.ensemble.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Streams a chat completion for a caller that another surface has already authenticated (the
 * console's browser session), through the same pipeline as {@code POST /v1/chat/completions}: audit,
 * routing, guardrails, retrieval, quota and expert. The body is a chat completion request in OpenAI's
 * shape with {@code "stream": true}; the answer is written to {@code response} as the same SSE events,
 * with the same routing headers. A refusal before the first event is thrown as an
 * {@link ai.ensemble.shared.ApiException}, so the caller's surface answers it in OpenAI's error shape.
 */
public interface ChatStreams {

    /**
     * @param clientApp recorded as the request's client app in the audit log, and matched by
     *                  guardrail policies scoped to client apps
     */
    void stream(Caller caller, String clientApp, byte[] body, HttpServletRequest request, HttpServletResponse response)
            throws IOException;
}
