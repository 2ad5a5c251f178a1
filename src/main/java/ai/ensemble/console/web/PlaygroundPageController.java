package ai.ensemble.console.web;

import java.io.IOException;

import ai.ensemble.api.ChatStreams;
import ai.ensemble.rag.KnowledgeBaseCatalog;
import ai.ensemble.router.Router;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;

/**
 * {@code /console/playground} (permission {@code chat}, checked by the console's chain): a chat page
 * offering the experts the caller may use and the knowledge bases it may read, and the endpoint its
 * script streams answers from. The endpoint runs the API's own chat pipeline for the session's
 * caller, so a playground chat is routed, screened, grounded, counted against quotas and audited
 * like any other (client app {@value #CLIENT_APP}); only the authentication differs (session + CSRF).
 */
@Controller
class PlaygroundPageController {

    static final String CLIENT_APP = "console-playground";

    record ExpertOption(String id, String name) {
    }

    private final Router router;
    private final KnowledgeBaseCatalog knowledgeBases;
    private final ChatStreams chats;

    PlaygroundPageController(Router router, KnowledgeBaseCatalog knowledgeBases, ChatStreams chats) {
        this.router = router;
        this.knowledgeBases = knowledgeBases;
        this.chats = chats;
    }

    @GetMapping("/console/playground")
    String page(Model model) {
        Caller caller = Callers.current();
        model.addAttribute("experts", router.usable(caller).stream()
                .map(expert -> new ExpertOption(expert.info().id(), expert.info().displayName())).toList());
        model.addAttribute("kbs", knowledgeBases.readableBy(caller));
        model.addAttribute("auto", Router.AUTO);
        return "console/playground";
    }

    /** A chat completion request in OpenAI's shape with {@code "stream": true}; answers with the API's SSE events. */
    @PostMapping(path = "/console/playground/chat", consumes = MediaType.APPLICATION_JSON_VALUE)
    void chat(@RequestBody byte[] body, HttpServletRequest request, HttpServletResponse response) throws IOException {
        chats.stream(Callers.current(), CLIENT_APP, body, request, response);
    }
}
