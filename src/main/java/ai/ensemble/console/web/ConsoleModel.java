package ai.ensemble.console.web;

import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.security.Permissions;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every console page's layout needs: who is signed in, and which areas the navigation offers.
 * The same permissions guard each area's URLs in the console's filter chain; hiding a link is only
 * a courtesy.
 */
@ControllerAdvice(basePackageClasses = ConsoleModel.class)
class ConsoleModel {

    record Navigation(String subject, String roles, boolean audit, boolean keys, boolean roleAdmin,
                      boolean experts, boolean policies, boolean kbs, boolean chat) {
    }

    @ModelAttribute("navigation")
    Navigation navigation() {
        Caller caller = Callers.currentOrNull();
        if (caller == null) {
            return null; // the signed-out page
        }
        return new Navigation(caller.subject(), String.join(", ", caller.roles()),
                caller.can(Permissions.AUDIT_READ), caller.can(Permissions.ADMIN_KEYS),
                caller.can(Permissions.ADMIN_ROLES), caller.can(Permissions.ADMIN_EXPERTS),
                caller.can(Permissions.ADMIN_POLICIES), caller.can(Permissions.ADMIN_KBS),
                caller.can(Permissions.CHAT));
    }
}
