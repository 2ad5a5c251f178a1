package ai.ensemble.security;

import java.util.regex.Pattern;

/**
 * The permission grammar: {@code chat}, {@code audit:read}, {@code admin:<area>},
 * {@code expert:<id>}, {@code kb:<id>:read}, where {@code *} in place of an id grants all.
 */
public final class Permissions {

    public static final String CHAT = "chat";
    public static final String AUDIT_READ = "audit:read";
    public static final String ADMIN_ROLES = "admin:roles";
    public static final String ADMIN_KEYS = "admin:keys";
    public static final String ADMIN_EXPERTS = "admin:experts";
    public static final String ADMIN_POLICIES = "admin:policies";
    public static final String ADMIN_KBS = "admin:kbs";

    private static final Pattern VALID = Pattern.compile(
            "chat|audit:read|admin:(roles|keys|experts|policies|kbs)|expert:(\\*|[A-Za-z0-9._-]{1,100})"
                    + "|kb:(\\*|[A-Za-z0-9._-]{1,100}):read");

    private Permissions() {
    }

    public static boolean valid(String permission) {
        return permission != null && VALID.matcher(permission).matches();
    }

    public static String expert(String expertId) {
        return "expert:" + expertId;
    }

    /** {@code granted} implies {@code required} when every segment is equal or granted is {@code *}. */
    static boolean implies(String granted, String required) {
        if (granted.indexOf('*') < 0) {
            return granted.equals(required);
        }
        String[] g = granted.split(":");
        String[] r = required.split(":");
        if (g.length != r.length) {
            return false;
        }
        for (int i = 0; i < g.length; i++) {
            if (!g[i].equals("*") && !g[i].equals(r[i])) {
                return false;
            }
        }
        return true;
    }
}
