package ai.ensemble.console.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.server.ResponseStatusException;

/**
 * A knowledge base, document or job that does not exist is a 404 page with the reason, not the
 * API's JSON catch-all (which answers 500 for a {@link ResponseStatusException}). Limited to the
 * knowledge-base pages, ahead of the API's advice.
 */
@ControllerAdvice(assignableTypes = {KnowledgeBasesPageController.class, KnowledgeBasePageController.class,
        KnowledgeBaseQueryController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class KnowledgeBaseMissing {

    @ExceptionHandler(ResponseStatusException.class)
    String missing(ResponseStatusException e, Model model, HttpServletResponse response) {
        response.setStatus(e.getStatusCode().value());
        model.addAttribute("status", e.getStatusCode().value());
        model.addAttribute("reason", e.getReason());
        return "console/kb-missing";
    }
}
