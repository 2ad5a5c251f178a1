package ai.ensemble.api.web;

import java.io.IOException;
import java.time.Instant;

import ai.ensemble.api.ChatStreams;
import ai.ensemble.api.internal.ChatCompletionRequest;
import ai.ensemble.api.internal.ChatCompletionService;
import ai.ensemble.api.internal.ChatExchange;
import ai.ensemble.api.internal.ChatRequestParser;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;

/** {@link ChatStreams} over the same parser and service as {@link ChatCompletionsController}'s streamed branch. */
@Component
class SessionChatStreams implements ChatStreams {

    private final ChatRequestParser parser;
    private final ChatCompletionService chats;

    SessionChatStreams(ChatRequestParser parser, ChatCompletionService chats) {
        this.parser = parser;
        this.chats = chats;
    }

    @Override
    public void stream(Caller caller, String clientApp, byte[] body, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        long started = System.nanoTime();
        ChatCompletionRequest chat = parser.parse(body);
        if (!chat.stream()) {
            throw ApiError.invalidRequest("stream", "'stream' must be true: this endpoint only streams its answers").exception();
        }
        ChatExchange exchange = new ChatExchange(RequestIds.current(), RequestIds.clientId(request), caller, clientApp, chat,
                Instant.now(), started, request.getHeader(RoutingHeaders.CLASSIFICATION));
        chats.stream(exchange, chats.admit(exchange), new ServletSseOutput(response));
    }
}
