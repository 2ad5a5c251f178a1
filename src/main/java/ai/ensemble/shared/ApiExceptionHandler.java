package ai.ensemble.shared;

import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every failure in a REST handler into OpenAI's error shape; nothing leaks as a bare 500. */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e) {
        // JSON whatever the Accept header asked for (a client that accepts only text/event-stream still
        // gets its refusal, not a 500 from content negotiation).
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.error().status()).contentType(MediaType.APPLICATION_JSON);
        e.headers().forEach(response::header);
        return response.body(ApiErrorWriter.body(e.error()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return respond(api.error());
            }
        }
        return respond(ApiError.invalidRequest(null, "Request body is missing or unreadable"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return respond(new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + e.getContentType() + " is not supported; send application/json",
                "invalid_request_error", null, "unsupported_media_type"));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Map<String, Object>> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return respond(new ApiError(HttpStatus.NOT_ACCEPTABLE, "The Accept header allows no representation this endpoint has",
                "invalid_request_error", null, "not_acceptable"));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return respond(new ApiError(HttpStatus.METHOD_NOT_ALLOWED, "Method " + e.getMethod() + " is not allowed here",
                "invalid_request_error", null, "method_not_allowed"));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Map<String, Object>> missingParameter(MissingServletRequestParameterException e) {
        return respond(ApiError.invalidRequest(e.getParameterName(), "Query parameter '" + e.getParameterName() + "' is required"));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> typeMismatch(MethodArgumentTypeMismatchException e) {
        return respond(ApiError.invalidRequest(e.getName(), "'" + e.getName() + "' has an invalid value"));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noResource(NoResourceFoundException e) {
        return respond(ApiError.notFound(null, "No such endpoint: /" + e.getResourcePath(), "unknown_url"));
    }

    /** A controller's own status (e.g. a console page's 404), kept rather than turned into a 500. */
    @ExceptionHandler(org.springframework.web.server.ResponseStatusException.class)
    ResponseEntity<Map<String, Object>> status(org.springframework.web.server.ResponseStatusException e) {
        HttpStatus status = HttpStatus.valueOf(e.getStatusCode().value());
        String reason = e.getReason() != null ? e.getReason() : status.getReasonPhrase();
        return respond(new ApiError(status, reason, status.is4xxClientError() ? "invalid_request_error" : "server_error", null,
                status.name().toLowerCase(java.util.Locale.ROOT)));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletResponse response) throws Exception {
        if (response.isCommitted()) {
            throw e; // mid-stream: nothing can be said in JSON any more; let the connection abort
        }
        if (DatabaseUnavailableFilter.isDatabaseOutage(e)) {
            log.warn("The database is unavailable ({}); request {} refused", DatabaseUnavailableFilter.rootMessage(e),
                    RequestIds.current());
            return respond(DatabaseUnavailableFilter.unavailable());
        }
        log.error("Unhandled error", e);
        return respond(new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; quote request id " + RequestIds.current(),
                "server_error", null, "internal_error"));
    }

    static ResponseEntity<Map<String, Object>> respond(ApiError error) {
        return ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_JSON).body(ApiErrorWriter.body(error));
    }
}
