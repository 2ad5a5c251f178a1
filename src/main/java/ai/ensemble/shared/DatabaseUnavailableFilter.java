package ai.ensemble.shared;

import java.io.IOException;
import java.sql.SQLTransientConnectionException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Fails closed, with a clear 503, when the database is gone (stopped, unreachable, its connections
 * cut): every request is audited there, so none may be served. Catches what escapes the filters
 * before any controller (an API key is looked up in the database during authentication), which the
 * servlet container would otherwise answer with a bare 500; {@link ApiExceptionHandler} does the same
 * for what a controller throws.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class DatabaseUnavailableFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableFilter.class);

    /** The answer while the database is unavailable: the request could not be audited, so it was not processed. */
    static ApiError unavailable() {
        return ApiError.unavailable("The gateway's database, which holds the audit log, is unavailable, so the request "
                + "was not processed; retry later", "audit_unavailable");
    }

    /** Whether {@code failure} is, or was caused by, the database being unreachable rather than a bug or bad data. */
    static boolean isDatabaseOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException || t instanceof TransientDataAccessResourceException
                    || t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!isDatabaseOutage(e) || response.isCommitted()) {
                throw e;
            }
            log.warn("Refused {} {}: the database is unavailable ({})", request.getMethod(), request.getRequestURI(),
                    rootMessage(e));
            ApiErrorWriter.write(response, unavailable());
        }
    }

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
