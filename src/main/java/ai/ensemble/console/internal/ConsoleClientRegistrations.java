package ai.ensemble.console.internal;

import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * The console's one client registration, built on first use: discovery must not hold up startup
 * (the IdP may start later), and the dev identity provider's endpoints are only known once the
 * server has its port.
 */
final class ConsoleClientRegistrations implements ClientRegistrationRepository {

    static final String REGISTRATION_ID = "ensemble";

    private final ConsoleSettings settings;
    private final Environment environment;
    private volatile ClientRegistration registration;

    ConsoleClientRegistrations(ConsoleSettings settings, Environment environment) {
        this.settings = settings;
        this.environment = environment;
    }

    @Override
    public ClientRegistration findByRegistrationId(String registrationId) {
        if (!REGISTRATION_ID.equals(registrationId)) {
            return null;
        }
        ClientRegistration current = registration;
        if (current == null) {
            current = build();
            registration = current;
        }
        return current;
    }

    private ClientRegistration build() {
        ClientRegistration.Builder builder;
        if (settings.localProvider()) {
            String local = "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
            // Relative, so the browser stays on the host it came in on (and keeps its session cookie).
            builder = ClientRegistration.withRegistrationId(REGISTRATION_ID)
                    .authorizationUri("/oauth2/authorize")
                    .tokenUri(local + "/oauth2/token")
                    .jwkSetUri(local + "/oauth2/jwks")
                    .issuerUri(settings.issuer())
                    .userNameAttributeName("sub");
        } else {
            builder = ClientRegistrations.fromIssuerLocation(settings.issuer()).registrationId(REGISTRATION_ID);
        }
        boolean publicClient = settings.clientSecret() == null || settings.clientSecret().isBlank();
        return builder.clientId(settings.clientId())
                .clientSecret(publicClient ? null : settings.clientSecret())
                .clientAuthenticationMethod(publicClient ? ClientAuthenticationMethod.NONE : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .scope("openid", "profile")
                .clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
                .build();
    }
}
