package ai.ensemble.security.internal;

import java.io.IOException;

import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiErrorWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/** 401 and 403 in OpenAI's error shape, with the reason and the missing permission named. */
final class OpenAiSecurityErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        String message = e instanceof InvalidBearerTokenException invalid
                ? invalid.getError().getDescription()
                : "Missing credentials: send 'Authorization: Bearer <access token or API key>'";
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        ApiErrorWriter.write(response, ApiError.unauthenticated(message));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        String message = PermissionRules.requiredFor(request)
                .map(permission -> "This request requires the permission '" + permission + "'")
                .orElse("Access denied");
        ApiErrorWriter.write(response, ApiError.forbidden(message));
    }
}
