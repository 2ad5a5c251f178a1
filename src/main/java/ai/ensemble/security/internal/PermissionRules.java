package ai.ensemble.security.internal;

import java.util.List;
import java.util.Optional;

import ai.ensemble.security.Permissions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The permission each API surface needs. One list drives both the filter chain's checks and the
 * 403 message, so the message always names the permission that was actually required.
 */
final class PermissionRules {

    record Rule(RequestMatcher matcher, String permission) {
    }

    static final List<Rule> RULES = List.of(
            rule("/v1/**", Permissions.CHAT),
            rule("/api/route", Permissions.CHAT),
            rule("/api/guardrails/**", Permissions.CHAT),
            rule("/admin/api/keys/**", Permissions.ADMIN_KEYS),
            rule("/admin/api/keys", Permissions.ADMIN_KEYS),
            rule("/admin/api/roles/**", Permissions.ADMIN_ROLES),
            rule("/admin/api/roles", Permissions.ADMIN_ROLES),
            rule("/admin/api/group-mappings/**", Permissions.ADMIN_ROLES),
            rule("/admin/api/group-mappings", Permissions.ADMIN_ROLES),
            rule("/admin/api/audit/**", Permissions.AUDIT_READ),
            rule("/admin/api/audit", Permissions.AUDIT_READ),
            rule("/admin/api/experts/**", Permissions.ADMIN_EXPERTS),
            rule("/admin/api/experts", Permissions.ADMIN_EXPERTS),
            rule("/admin/api/router/**", Permissions.ADMIN_EXPERTS),
            rule("/admin/api/router", Permissions.ADMIN_EXPERTS),
            rule("/admin/api/policies/**", Permissions.ADMIN_POLICIES),
            rule("/admin/api/policies", Permissions.ADMIN_POLICIES),
            rule("/admin/api/quotas/**", Permissions.ADMIN_POLICIES),
            rule("/admin/api/guardrails/**", Permissions.ADMIN_POLICIES),
            rule("/admin/api/quotas", Permissions.ADMIN_POLICIES),
            rule("/admin/api/kbs/**", Permissions.ADMIN_KBS),
            rule("/admin/api/kbs", Permissions.ADMIN_KBS),
            rule("/admin/api/jobs/**", Permissions.ADMIN_KBS),
            // Retrieval answers from knowledge bases; which ones the caller may read is checked per KB.
            rule("/api/retrieve", Permissions.CHAT));

    private PermissionRules() {
    }

    private static Rule rule(String pattern, String permission) {
        return new Rule(PathPatternRequestMatcher.withDefaults().matcher(pattern), permission);
    }

    static Optional<String> requiredFor(HttpServletRequest request) {
        return RULES.stream().filter(r -> r.matcher().matches(request)).map(Rule::permission).findFirst();
    }
}
