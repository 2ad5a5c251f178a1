package ai.ensemble.shared;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** Writes {@link ApiError} bodies where no MVC handler runs (filters, security entry points). */
public final class ApiErrorWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiErrorWriter() {
    }

    public static Map<String, Object> body(ApiError error) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("message", error.message());
        inner.put("type", error.type());
        inner.put("param", error.param());
        inner.put("code", error.code());
        return Map.of("error", inner);
    }

    public static byte[] bytes(ApiError error) {
        return JSON.writeValueAsString(body(error)).getBytes(StandardCharsets.UTF_8);
    }

    public static void write(HttpServletResponse response, ApiError error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(error.status().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        byte[] body = bytes(error);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
