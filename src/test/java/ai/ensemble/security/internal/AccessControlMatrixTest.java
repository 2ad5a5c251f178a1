package ai.ensemble.security.internal;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every HTTP endpoint the application maps (read from the handler mappings, so a new endpoint cannot
 * be forgotten) × every kind of caller: anonymous, an expired token, a token of an untrusted issuer,
 * the demo API key (role user), the app, auditor and admin clients of the dev identity provider, and a
 * token of the external test issuer. An API endpoint must have a permission rule; a caller without
 * that permission gets 403, with it anything but 401/403 (and never a 5xx); anything that is not an
 * API endpoint is either on the public list or refused.
 */
class AccessControlMatrixTest extends GatewayTest {

    /** API surfaces: every endpoint under them needs a rule in PermissionRules. */
    private static final List<String> PROTECTED = List.of("/v1/", "/admin/api/", "/api/");
    /** Public endpoints outside those surfaces; every other mapped endpoint must refuse anonymous callers. */
    private static final Set<String> PUBLIC = Set.of("/", "/error", "/actuator/health", "/actuator/health/**",
            "/actuator/info", "/actuator/prometheus", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml",
            "/v3/api-docs/swagger-config", "/console/signed-out");
    /** Where the console sends a browser without a console session: its sign-in, a refusal like 401. */
    private static final String CONSOLE_SIGN_IN = "/oauth2/authorization/ensemble";
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

    @Autowired
    ApplicationContext context;

    @Autowired
    AccessControl accessControl;

    record Endpoint(String method, String pattern, String path) {
    }

    record Who(String name, String bearer, Set<String> permissions, boolean authenticated) {
    }

    @Test
    void everyEndpointTimesEveryCaller() {
        List<Endpoint> endpoints = endpoints();
        assertThat(endpoints).extracting(Endpoint::pattern).contains("/v1/chat/completions", "/admin/api/roles", "/admin/api/audit");
        List<Who> callers = callers();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Endpoint endpoint : endpoints) {
            boolean api = PROTECTED.stream().anyMatch(endpoint.path()::startsWith);
            String required = null;
            if (api) {
                MockHttpServletRequest probe = new MockHttpServletRequest(endpoint.method(), endpoint.path());
                required = PermissionRules.requiredFor(probe).orElse(null);
                if (required == null) {
                    problems.add(endpoint + ": no permission rule in PermissionRules");
                    continue;
                }
            }
            for (Who who : callers) {
                HttpResponse<String> response = exchange(endpoint, who.bearer());
                int status = response.statusCode();
                boolean sentToSignIn = status == 302 && response.headers().firstValue("Location")
                        .filter(location -> location.endsWith(CONSOLE_SIGN_IN)).isPresent();
                checked++;
                String expected;
                boolean ok;
                if (status >= 500) {
                    expected = "< 500";
                    ok = false;
                } else if (!api) {
                    boolean open = PUBLIC.contains(endpoint.pattern());
                    expected = open ? "not 401/403" : "401 or 403 (or, for the console, 302 to its sign-in)";
                    ok = open ? status != 401 && status != 403 && !sentToSignIn
                            : status == 401 || status == 403 || (endpoint.path().startsWith("/console") && sentToSignIn);
                } else if (!who.authenticated()) {
                    expected = "401";
                    ok = status == 401;
                } else if (new Caller(who.name(), CallerType.JWT, Set.of(), who.permissions(), null).can(required)) {
                    expected = "not 401/403 (has " + required + ")";
                    ok = status != 401 && status != 403;
                } else {
                    expected = "403 (lacks " + required + ")";
                    ok = status == 403;
                }
                if (!ok) {
                    problems.add(endpoint.method() + " " + endpoint.path() + " as " + who.name() + ": " + status + ", expected " + expected);
                }
            }
        }
        System.out.printf("access-control matrix: %d endpoints × %d callers = %d calls%n", endpoints.size(), callers.size(), checked);
        assertThat(problems).isEmpty();
    }

    /** An independent check of the rules themselves: the user role reaches no admin endpoint, the auditor only the audit log. */
    @Test
    void usersReachNoAdminEndpointAndAuditorsOnlyTheAuditLog() {
        String auditor = devToken("demo-auditor");
        for (Endpoint endpoint : endpoints()) {
            if (endpoint.path().startsWith("/admin/api/")) {
                assertThat(call(endpoint, DEMO_KEY)).as("%s as the demo key (role user)", endpoint).isEqualTo(403);
                int status = call(endpoint, auditor);
                if (endpoint.path().startsWith("/admin/api/audit")) {
                    assertThat(status).as("%s as auditor", endpoint).isNotIn(401, 403);
                } else {
                    assertThat(status).as("%s as auditor", endpoint).isEqualTo(403);
                }
            }
        }
    }

    private List<Who> callers() {
        Instant now = Instant.now();
        List<Who> callers = new ArrayList<>();
        callers.add(new Who("anonymous", null, Set.of(), false));
        callers.add(new Who("expired token", ISSUER.token().groups("/ensemble-admins").notBefore(now.minusSeconds(900))
                .expiresAt(now.minusSeconds(600)).sign(), Set.of(), false));
        callers.add(new Who("untrusted issuer", ISSUER.token().groups("/ensemble-admins").issuer("https://other.example").sign(),
                Set.of(), false));
        Set<String> keyRoles = new TreeSet<>(jdbc.sql("select role_name from api_key_role r join api_key k on k.id = r.api_key_id"
                + " where k.prefix = 'demo00000000'").query(String.class).list());
        callers.add(new Who("API key (user)", DEMO_KEY, accessControl.permissionsOf(keyRoles), true));
        for (String client : List.of("demo-app", "demo-auditor", "demo-admin")) {
            String token = devToken(client);
            callers.add(new Who(client, token, accessControl.permissionsOf(accessControl.rolesForGroups(groups(token))), true));
        }
        String external = ISSUER.token().groups("/ensemble-users").sign();
        callers.add(new Who("external issuer (users group)", external,
                accessControl.permissionsOf(accessControl.rolesForGroups(List.of("ensemble-users", "/ensemble-users"))), true));
        return callers;
    }

    /** The groups claim of a JWT, read from its payload (the gateway verifies it; here we only need the claim). */
    private static List<String> groups(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        List<String> groups = new ArrayList<>();
        JSON.readTree(payload).path("groups").forEach(node -> groups.add(node.asString()));
        return groups;
    }

    private List<Endpoint> endpoints() {
        Map<String, Endpoint> found = new LinkedHashMap<>();
        for (RequestMappingInfoHandlerMapping mapping : context.getBeansOfType(RequestMappingInfoHandlerMapping.class).values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                        Endpoint endpoint = new Endpoint(method.name(), pattern, concrete(pattern));
                        found.putIfAbsent(endpoint.method() + " " + pattern, endpoint);
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** The pattern with a harmless value for each variable (an id no row has), and no wildcard segments. */
    private static String concrete(String pattern) {
        Matcher variables = VARIABLE.matcher(pattern.replace("/**", "").replace("/*", "/x"));
        StringBuilder path = new StringBuilder();
        while (variables.find()) {
            String name = variables.group(1).toLowerCase(java.util.Locale.ROOT);
            String value = name.contains("id") ? "00000000-0000-0000-0000-0000000000aa" : "matrix-probe";
            variables.appendReplacement(path, value);
        }
        variables.appendTail(path);
        return path.isEmpty() ? "/" : path.toString();
    }

    private int call(Endpoint endpoint, String bearer) {
        return exchange(endpoint, bearer).statusCode();
    }

    private HttpResponse<String> exchange(Endpoint endpoint, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(endpoint.path()));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        boolean body = endpoint.method().equals("POST") || endpoint.method().equals("PUT") || endpoint.method().equals("PATCH");
        request.header("Content-Type", "application/json");
        request.method(endpoint.method(), body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        return send(request);
    }
}
