package ai.ensemble.shared;

import java.io.IOException;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs before everything else (security included) so that every response, 401s too, carries
 * {@code X-Request-Id}. The id is always the gateway's own, so that no caller can file audit
 * events under another request's id; a well-formed id the caller sent is echoed as
 * {@code X-Client-Request-Id} and recorded with the request, so traces still join.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = "req_" + UUID.randomUUID().toString().replace("-", "");
        request.setAttribute(RequestIds.ATTRIBUTE, id);
        response.setHeader(RequestIds.HEADER, id);
        String incoming = request.getHeader(RequestIds.HEADER);
        if (RequestIds.acceptable(incoming)) {
            request.setAttribute(RequestIds.CLIENT_ATTRIBUTE, incoming);
            response.setHeader(RequestIds.CLIENT_HEADER, incoming);
        }
        MDC.put(RequestIds.MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }
}
