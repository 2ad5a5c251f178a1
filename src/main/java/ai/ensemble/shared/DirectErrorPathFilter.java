package ai.ensemble.shared;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /error} is the servlet container's error page, reached by an error dispatch. Requested
 * directly there is no error to render, and Spring Boot's error controller would answer 500; this
 * answers 404 instead (the filter runs for request dispatches only, so real error pages still work).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class DirectErrorPathFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/error") || path.startsWith("/error/")) {
            ApiErrorWriter.write(response, ApiError.notFound(null, "No such resource: " + path, "not_found"));
            return;
        }
        chain.doFilter(request, response);
    }
}
