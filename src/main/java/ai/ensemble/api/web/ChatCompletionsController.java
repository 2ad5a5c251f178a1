package ai.ensemble.api.web;

import java.io.IOException;
import java.time.Instant;

import ai.ensemble.api.internal.ChatCompletionRequest;
import ai.ensemble.api.internal.ChatCompletionService;
import ai.ensemble.api.internal.ChatExchange;
import ai.ensemble.api.internal.ChatRequestParser;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/chat/completions}: JSON, or SSE when {@code "stream": true}. */
@RestController
class ChatCompletionsController {

    static final String CLIENT_APP_HEADER = "X-Client-App";

    private final ChatRequestParser parser;
    private final ChatCompletionService chats;

    ChatCompletionsController(ChatRequestParser parser, ChatCompletionService chats) {
        this.parser = parser;
        this.chats = chats;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> complete(@RequestBody byte[] body, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        long started = System.nanoTime();
        ChatCompletionRequest chat = parser.parse(body);
        String clientApp = request.getHeader(CLIENT_APP_HEADER);
        ChatExchange exchange = new ChatExchange(RequestIds.current(), RequestIds.clientId(request), Callers.current(),
                clientApp == null ? null : clientApp.substring(0, Math.min(clientApp.length(), 200)),
                chat, Instant.now(), started, request.getHeader(RoutingHeaders.CLASSIFICATION));
        ChatCompletionService.Admitted admitted = chats.admit(exchange);
        if (chat.stream()) {
            chats.stream(exchange, admitted, new ServletSseOutput(response));
            return null;
        }
        ChatCompletionService.Answer answer = chats.complete(exchange, admitted);
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
        RoutingHeaders.of(answer.route().decision()).forEach(ok::header);
        return ok.body(answer.json());
    }
}
