package ai.ensemble.console.internal;

import java.util.Collection;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerPrincipal;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;

/** A person signed in to the console, with the gateway {@link Caller} their IdP groups map to. */
final class ConsoleUser extends DefaultOidcUser implements CallerPrincipal {

    private final transient Caller caller;

    ConsoleUser(Caller caller, Collection<? extends GrantedAuthority> authorities, OidcIdToken idToken) {
        super(authorities, idToken, "sub");
        this.caller = caller;
    }

    @Override
    public Caller caller() {
        return caller;
    }
}
