package ai.ensemble.security.devidp;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.dev-idp}: the embedded OIDC provider of the developer run, its demo clients
 * ({@code client_credentials}) and demo users (browser login), each with IdP groups.
 */
@ConfigurationProperties("ensemble.dev-idp")
record DevIdpSettings(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("http://localhost:8080") String issuer,
        @DefaultValue("ensemble") List<String> audiences,
        @DefaultValue("1h") Duration tokenLifetime,
        @DefaultValue List<Client> clients,
        @DefaultValue List<User> users) {

    record Client(String id, String secret, @DefaultValue List<String> groups, @DefaultValue List<String> redirectUris) {
    }

    record User(String name, String password, @DefaultValue List<String> groups) {
    }
}
