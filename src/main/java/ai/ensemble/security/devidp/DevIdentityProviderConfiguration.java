package ai.ensemble.security.devidp;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.UUID;

import ai.ensemble.security.LocalIssuer;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * The developer run's own identity provider (Spring Authorization Server) at the gateway's origin.
 * Its signing key lives only in memory, so tokens from a previous run are rejected after restart.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("ensemble.dev-idp.enabled")
class DevIdentityProviderConfiguration {

    static final String GROUPS_CLAIM = "groups";
    static final String GROUP_AUTHORITY_PREFIX = "GROUP_";

    @Bean
    KeyPair devIdpKeyPair() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(KeyPair keyPair) {
        RSAKey key = new RSAKey.Builder((RSAPublicKey) keyPair.getPublic())
                .privateKey((RSAPrivateKey) keyPair.getPrivate())
                .keyID(UUID.randomUUID().toString())
                .build();
        return new ImmutableJWKSet<>(new JWKSet(key));
    }

    @Bean
    LocalIssuer devLocalIssuer(DevIdpSettings settings, KeyPair keyPair) {
        return new LocalIssuer(settings.issuer(), (RSAPublicKey) keyPair.getPublic());
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(DevIdpSettings settings) {
        return AuthorizationServerSettings.builder().issuer(settings.issuer()).build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    RegisteredClientRepository registeredClients(DevIdpSettings settings, PasswordEncoder encoder) {
        List<RegisteredClient> clients = settings.clients().stream().map(client -> {
            if (client.secret() == null || client.secret().isBlank()) {
                return publicClient(client);
            }
            RegisteredClient.Builder builder = RegisteredClient.withId(client.id())
                    .clientId(client.id())
                    .clientSecret(encoder.encode(client.secret()))
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(settings.tokenLifetime()).build())
                    .clientSettings(ClientSettings.builder().setting(GROUPS_CLAIM, List.copyOf(client.groups())).build());
            if (!client.redirectUris().isEmpty()) {
                builder.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                        .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                        .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE);
                client.redirectUris().forEach(builder::redirectUri);
            }
            return builder.build();
        }).toList();
        return new InMemoryRegisteredClientRepository(clients);
    }

    /** A client without a secret (the console): authorization code with PKCE only, as for a browser app. */
    private static RegisteredClient publicClient(DevIdpSettings.Client client) {
        RegisteredClient.Builder builder = RegisteredClient.withId(client.id())
                .clientId(client.id())
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE)
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build());
        client.redirectUris().forEach(builder::redirectUri);
        return builder.build();
    }

    @Bean
    UserDetailsService devUsers(DevIdpSettings settings, PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(settings.users().stream().map(user -> User.withUsername(user.name())
                .password(encoder.encode(user.password()))
                .authorities(user.groups().stream().map(g -> GROUP_AUTHORITY_PREFIX + g).toArray(String[]::new))
                .build()).toList());
    }

    /** Access and ID tokens carry the gateway audience and the caller's IdP groups. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> devTokenCustomizer(DevIdpSettings settings) {
        return context -> {
            List<String> groups;
            if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
                groups = context.getRegisteredClient().getClientSettings().getSetting(GROUPS_CLAIM);
            } else {
                groups = context.getPrincipal().getAuthorities().stream()
                        .map(a -> a.getAuthority())
                        .filter(a -> a.startsWith(GROUP_AUTHORITY_PREFIX))
                        .map(a -> a.substring(GROUP_AUTHORITY_PREFIX.length()))
                        .toList();
            }
            context.getClaims().claim(GROUPS_CLAIM, groups == null ? List.of() : groups);
            if ("access_token".equals(context.getTokenType().getValue())) {
                context.getClaims().audience(settings.audiences());
            }
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain devAuthorizationServerChain(HttpSecurity http) {
        http.oauth2AuthorizationServer(authorizationServer -> {
                    http.securityMatcher(authorizationServer.getEndpointsMatcher());
                    authorizationServer.oidc(Customizer.withDefaults());
                })
                .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"), new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
        return http.build();
    }

    /** The login form that the authorization endpoint sends browsers to. */
    @Bean
    @Order(2)
    SecurityFilterChain devLoginChain(HttpSecurity http) {
        http.securityMatcher("/login", "/logout", "/default-ui.css")
                .authorizeHttpRequests(authorize -> authorize.anyRequest().permitAll())
                .formLogin(Customizer.withDefaults());
        return http.build();
    }
}
