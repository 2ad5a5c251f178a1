package ai.ensemble.shared;

import java.util.regex.Pattern;

import org.slf4j.MDC;

/** The request id every response carries ({@code X-Request-Id}) and every log line names. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    public static final String ATTRIBUTE = RequestIds.class.getName();
    public static final String CLIENT_HEADER = "X-Client-Request-Id";
    public static final String CLIENT_ATTRIBUTE = RequestIds.class.getName() + ".client";

    // A caller-supplied id is kept only when it is safe to log and store verbatim.
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{8,128}");

    private RequestIds() {
    }

    static boolean acceptable(String candidate) {
        return candidate != null && ACCEPTABLE.matcher(candidate).matches();
    }

    /** The well-formed id the caller sent in {@code X-Request-Id}, or null. */
    public static String clientId(jakarta.servlet.http.HttpServletRequest request) {
        return (String) request.getAttribute(CLIENT_ATTRIBUTE);
    }

    /** The id of the request this thread is serving. */
    public static String current() {
        return MDC.get(MDC_KEY);
    }
}
