package ai.ensemble.api.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import ai.ensemble.api.internal.SseOutput;
import ai.ensemble.router.RoutingDecision;
import jakarta.servlet.http.HttpServletResponse;

/** Writes SSE straight to the servlet response from the request's (virtual) thread. */
final class ServletSseOutput implements SseOutput {

    private final HttpServletResponse response;
    private OutputStream out;

    ServletSseOutput(HttpServletResponse response) {
        this.response = response;
    }

    @Override
    public void start(RoutingDecision decision) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        RoutingHeaders.of(decision).forEach(response::setHeader);
        out = response.getOutputStream();
    }

    @Override
    public boolean started() {
        return out != null;
    }

    @Override
    public void event(String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
