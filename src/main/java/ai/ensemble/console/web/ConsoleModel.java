package ai.ensemble.console.web;

import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.security.Permissions;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every console page's layout needs: who is signed in, and which areas the navigation offers. */
@ControllerAdvice(assignableTypes = {DashboardController.class, AuditPageController.class, KeysPageController.class})
class ConsoleModel {

    record Navigation(String subject, String roles, boolean audit, boolean keys) {
    }

    @ModelAttribute("navigation")
    Navigation navigation() {
        Caller caller = Callers.current();
        return new Navigation(caller.subject(), String.join(", ", caller.roles()),
                caller.can(Permissions.AUDIT_READ), caller.can(Permissions.ADMIN_KEYS));
    }
}
