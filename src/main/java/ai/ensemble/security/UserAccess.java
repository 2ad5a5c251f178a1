package ai.ensemble.security;

import java.util.Collection;

/**
 * Turns a person signed in through the identity provider into a {@link Caller}: their IdP groups
 * are mapped to gateway roles and permissions exactly as for a JWT on the API.
 */
public interface UserAccess {

    /**
     * @param subject the IdP's subject of the person
     * @param groups  the IdP groups as the token carries them (Keycloak's "/group" paths are accepted)
     */
    Caller signedIn(String subject, Collection<String> groups);
}
