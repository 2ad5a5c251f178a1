package ai.ensemble.shared;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** Writes {@link ApiError} bodies where no MVC handler runs (filters, security entry points). */
public final class ApiErrorWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiErrorWriter() {
    }

    /**
     * The inner error object. {@code param} and {@code code} are written even when null, as OpenAI
     * does, whatever the application's property-inclusion default (clients read the four keys).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }

    public static Map<String, Object> body(ApiError error) {
        return Map.of("error", new Detail(error.message(), error.type(), error.param(), error.code()));
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
