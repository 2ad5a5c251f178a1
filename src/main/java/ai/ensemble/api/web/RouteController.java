package ai.ensemble.api.web;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.ensemble.api.internal.ChatCompletionRequest;
import ai.ensemble.api.internal.ChatRequestParser;
import ai.ensemble.router.Route;
import ai.ensemble.router.Router;
import ai.ensemble.router.RoutingDecision;
import ai.ensemble.security.Callers;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/route}: the routing decision for a chat request, without generating anything
 * (permission {@code chat}). The body is a chat completion request; {@code model} absent or
 * {@code auto} asks the router. Scores name only experts the caller may use.
 */
@RestController
class RouteController {

    private final ChatRequestParser parser;
    private final Router router;

    RouteController(ChatRequestParser parser, Router router) {
        this.parser = parser;
        this.router = router;
    }

    @PostMapping(path = "/api/route", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> route(@RequestBody byte[] body, HttpServletRequest request) {
        ChatCompletionRequest chat = parser.parse(body);
        Route route = router.route(Callers.current(), chat.model(), chat.expertRequest().messages(), chat.stream(),
                request.getHeader(RoutingHeaders.CLASSIFICATION));
        RoutingDecision decision = route.decision();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("expert", decision.expert());
        answer.put("confidence", decision.confidence());
        answer.put("fallback", decision.fallback());
        answer.put("scores", decision.scores());
        answer.put("mode", decision.mode());
        answer.put("predicted", decision.predicted());
        answer.put("fallbackReason", decision.fallbackReason());
        answer.put("threshold", decision.mode().equals(RoutingDecision.AUTO) ? decision.threshold() : null);
        answer.put("skipped", decision.skipped());
        answer.put("latencyMs", decision.latencyMs());
        return answer;
    }
}
