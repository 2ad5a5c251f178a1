package ai.ensemble.console.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.console}: the console's OIDC client. Without a {@code client-id} the console is off
 * (its pages answer 403 like any other unknown surface) and nothing else is required.
 *
 * @param clientId       the client registered at the identity provider
 * @param clientSecret   empty for a public client (PKCE only, the usual choice); set for a confidential one
 * @param issuer         the identity provider's issuer; its discovery document names the endpoints
 * @param localProvider  the dev identity provider at this gateway's own origin: endpoints are taken
 *                       from the local port instead of discovery (the issuer is still checked in ID tokens)
 * @param groupsClaim    the ID token claim holding the person's IdP groups
 * @param sessionTimeout how long a console session lives without requests
 */
@ConfigurationProperties("ensemble.console")
public record ConsoleSettings(
        String clientId,
        String clientSecret,
        String issuer,
        @DefaultValue("false") boolean localProvider,
        @DefaultValue("groups") String groupsClaim,
        @DefaultValue("30m") Duration sessionTimeout) {
}
