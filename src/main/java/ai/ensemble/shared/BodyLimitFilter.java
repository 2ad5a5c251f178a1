package ai.ensemble.shared;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses bodies over {@code ensemble.api.max-body-bytes} with 413: at once when Content-Length
 * says so, and while reading when the body is chunked (then {@link PayloadTooLargeException}); and
 * bodies that take longer than {@code ensemble.api.body-read-timeout} (default 30 s) to arrive with
 * 408, so a client trickling its body a byte at a time (slow loris) cannot hold a request open.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class BodyLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final long readTimeoutNanos;

    BodyLimitFilter(@Value("${ensemble.api.max-body-bytes:1048576}") long maxBytes,
                    @Value("${ensemble.api.body-read-timeout:30s}") java.time.Duration readTimeout) {
        this.maxBytes = maxBytes;
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    static ApiError tooSlow(long nanos) {
        return new ApiError(HttpStatus.REQUEST_TIMEOUT, "The request body did not arrive within " + nanos / 1_000_000_000
                + " s", "invalid_request_error", null, "request_timeout");
    }

    static ApiError tooLarge(long maxBytes) {
        return new ApiError(HttpStatus.CONTENT_TOO_LARGE, "Request body exceeds the limit of " + maxBytes + " bytes",
                "invalid_request_error", null, "request_too_large");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            ApiErrorWriter.write(response, tooLarge(maxBytes));
            return;
        }
        chain.doFilter(new LimitedRequest(request, maxBytes, System.nanoTime() + readTimeoutNanos, readTimeoutNanos), response);
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long maxBytes;
        private final long deadline;
        private final long timeoutNanos;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long maxBytes, long deadline, long timeoutNanos) {
            super(request);
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), maxBytes, deadline, timeoutNanos);
            }
            return stream;
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream delegate;
        private final long maxBytes;
        private final long deadline;
        private final long timeoutNanos;
        private long read;

        LimitedStream(ServletInputStream delegate, long maxBytes, long deadline, long timeoutNanos) {
            this.delegate = delegate;
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.timeoutNanos = timeoutNanos;
        }

        private void count(long n) {
            if (n > 0 && (read += n) > maxBytes) {
                throw new PayloadTooLargeException(tooLarge(maxBytes));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new PayloadTooLargeException(tooSlow(timeoutNanos));
            }
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            count(n);
            return n;
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
