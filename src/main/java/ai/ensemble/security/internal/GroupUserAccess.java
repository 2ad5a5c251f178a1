package ai.ensemble.security.internal;

import java.util.Collection;
import java.util.Set;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import ai.ensemble.security.UserAccess;
import org.springframework.stereotype.Component;

/** The same group→role→permission mapping that {@link JwtCallerAuthenticationProvider} applies. */
@Component
class GroupUserAccess implements UserAccess {

    private final AccessControl accessControl;

    GroupUserAccess(AccessControl accessControl) {
        this.accessControl = accessControl;
    }

    @Override
    public Caller signedIn(String subject, Collection<String> groups) {
        Set<String> roles = accessControl.rolesForGroups(groups.stream()
                .map(group -> group.startsWith("/") ? group.substring(1) : group).toList());
        return new Caller(subject, CallerType.JWT, roles, accessControl.permissionsOf(roles), null);
    }
}
