package ai.ensemble.security.internal;


import ai.ensemble.security.LocalIssuer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/** One filter chain per surface: the API (bearer tokens only), actuator, and everything else. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    @Order(10)
    SecurityFilterChain apiChain(HttpSecurity http, SecuritySettings settings, AccessControl accessControl,
                                 JdbcClient jdbc, ObjectProvider<LocalIssuer> localIssuers) {
        ProviderManager callers = new ProviderManager(
                new ApiKeyAuthenticationProvider(jdbc, accessControl),
                new JwtCallerAuthenticationProvider(settings, accessControl, localIssuers.orderedStream().toList()));
        callers.setEraseCredentialsAfterAuthentication(false);
        OpenAiSecurityErrors errors = new OpenAiSecurityErrors();
        http.securityMatcher("/v1/**", "/api/**", "/admin/api/**")
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .anonymous(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(authorize -> {
                    PermissionRules.RULES.forEach(rule -> authorize.requestMatchers(rule.matcher()).hasAuthority(rule.permission()));
                    authorize.anyRequest().authenticated();
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .authenticationManagerResolver(request -> callers)
                        .authenticationEntryPoint(errors)
                        .accessDeniedHandler(errors))
                .exceptionHandling(e -> e.authenticationEntryPoint(errors).accessDeniedHandler(errors));
        return http.build();
    }

    @Bean
    @Order(20)
    SecurityFilterChain actuatorChain(HttpSecurity http) {
        http.securityMatcher("/actuator/**")
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus").permitAll()
                        .anyRequest().denyAll());
        return http.build();
    }

    /** Whatever no other chain claims: public pages only; the console adds its own chain. */
    @Bean
    @Order(100)
    SecurityFilterChain fallbackChain(HttpSecurity http) {
        http.csrf(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/", "/error", "/favicon.ico", "/v3/api-docs/**").permitAll()
                        .anyRequest().denyAll());
        return http.build();
    }
}
