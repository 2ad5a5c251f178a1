package ai.ensemble.shared;

import org.springframework.http.HttpStatus;

/**
 * An error in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}, with the HTTP
 * status it is answered with. Every module reports failures to callers through this record.
 */
public record ApiError(HttpStatus status, String message, String type, String param, String code) {

    public static ApiError invalidRequest(String param, String message) {
        return new ApiError(HttpStatus.BAD_REQUEST, message, "invalid_request_error", param, "invalid_value");
    }

    public static ApiError unauthenticated(String message) {
        return new ApiError(HttpStatus.UNAUTHORIZED, message, "authentication_error", null, "invalid_api_key");
    }

    public static ApiError forbidden(String message) {
        return new ApiError(HttpStatus.FORBIDDEN, message, "permission_error", null, "insufficient_permissions");
    }

    public static ApiError notFound(String param, String message, String code) {
        return new ApiError(HttpStatus.NOT_FOUND, message, "invalid_request_error", param, code);
    }

    public static ApiError conflict(String param, String message) {
        return new ApiError(HttpStatus.CONFLICT, message, "invalid_request_error", param, "conflict");
    }

    public static ApiError unavailable(String message, String code) {
        return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, message, "service_unavailable", null, code);
    }

    public static ApiError upstream(String message) {
        return new ApiError(HttpStatus.BAD_GATEWAY, message, "upstream_error", null, "upstream_error");
    }

    public ApiException exception() {
        return new ApiException(this);
    }
}
