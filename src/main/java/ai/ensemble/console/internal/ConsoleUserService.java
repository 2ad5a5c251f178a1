package ai.ensemble.console.internal;

import java.util.Collection;
import java.util.List;

import ai.ensemble.security.Caller;
import ai.ensemble.security.UserAccess;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/** Maps the ID token's groups to roles and permissions through the gateway's own group mappings. */
final class ConsoleUserService implements OAuth2UserService<OidcUserRequest, OidcUser> {

    private final OidcUserService oidc = new OidcUserService();
    private final UserAccess access;
    private final String groupsClaim;

    ConsoleUserService(UserAccess access, String groupsClaim) {
        this.access = access;
        this.groupsClaim = groupsClaim;
    }

    @Override
    public OidcUser loadUser(OidcUserRequest request) {
        OidcUser user = oidc.loadUser(request);
        Caller caller = access.signedIn(user.getSubject(), groups(user.getClaims().get(groupsClaim)));
        return new ConsoleUser(caller, caller.permissions().stream().map(SimpleGrantedAuthority::new).toList(),
                user.getIdToken());
    }

    private static List<String> groups(Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        return claim instanceof String single ? List.of(single) : List.of();
    }
}
