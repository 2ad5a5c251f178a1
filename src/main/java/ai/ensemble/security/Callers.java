package ai.ensemble.security;

import ai.ensemble.security.internal.CallerAuthentication;
import ai.ensemble.shared.ApiError;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The caller of the request this thread serves. */
public final class Callers {

    private Callers() {
    }

    public static Caller current() {
        Caller caller = currentOrNull();
        if (caller == null) {
            throw ApiError.unauthenticated("No authenticated caller").exception();
        }
        return caller;
    }

    /** The caller, or null on a public page. */
    public static Caller currentOrNull() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof CallerAuthentication caller) {
            return caller.caller();
        }
        if (authentication != null && authentication.getPrincipal() instanceof CallerPrincipal principal) {
            return principal.caller();
        }
        return null;
    }
}
