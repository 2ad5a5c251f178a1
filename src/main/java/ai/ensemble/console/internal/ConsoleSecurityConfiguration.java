package ai.ensemble.console.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import ai.ensemble.security.CallerPrincipal;
import ai.ensemble.security.Permissions;
import ai.ensemble.security.UserAccess;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;

/**
 * The console's own filter chain: a browser session from OIDC login (code + PKCE), CSRF on, and a
 * permission per page area checked with the same {@code Caller.can} as the API. Beyond Spring
 * Security's default headers (nosniff, frame DENY, no-store; HSTS over TLS) it sends a strict
 * Content-Security-Policy, a same-origin Referrer-Policy and a Permissions-Policy. Its security context
 * and saved request live under their own session keys, apart from the dev identity provider's login
 * at the same origin.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("ensemble.console.client-id")
class ConsoleSecurityConfiguration {

    static final String LOGIN = "/oauth2/authorization/" + ConsoleClientRegistrations.REGISTRATION_ID;
    /** The console needs none of the browser's powerful features; no page or frame of it may ask for them. */
    static final String PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()";

    @Bean
    ClientRegistrationRepository consoleClientRegistrations(ConsoleSettings settings, Environment environment) {
        return new ConsoleClientRegistrations(settings, environment);
    }

    @Bean
    @Order(50)
    SecurityFilterChain consoleChain(HttpSecurity http, ConsoleSettings settings, UserAccess access,
                                     ClientRegistrationRepository registrations) {
        HttpSessionSecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
        contexts.setSpringSecurityContextKey("ENSEMBLE_CONSOLE_SECURITY_CONTEXT");
        HttpSessionRequestCache requests = new HttpSessionRequestCache();
        requests.setSessionAttrName("ENSEMBLE_CONSOLE_SAVED_REQUEST");
        SavedRequestAwareAuthenticationSuccessHandler saved = new SavedRequestAwareAuthenticationSuccessHandler();
        saved.setRequestCache(requests);
        saved.setDefaultTargetUrl("/console");
        int timeoutSeconds = (int) settings.sessionTimeout().toSeconds();
        http.securityMatcher("/console", "/console/**", "/oauth2/authorization/**", "/login/oauth2/code/**", "/webjars/**")
                .securityContext(context -> context.securityContextRepository(contexts))
                .requestCache(cache -> cache.requestCache(requests))
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/webjars/**", "/console/signed-out", "/console/*.css", "/console/*.js").permitAll()
                        .requestMatchers("/console/audit", "/console/audit/**").access(permission(Permissions.AUDIT_READ))
                        .requestMatchers("/console/keys", "/console/keys/**").access(permission(Permissions.ADMIN_KEYS))
                        .requestMatchers("/console/roles", "/console/roles/**").access(permission(Permissions.ADMIN_ROLES))
                        .requestMatchers("/console/experts", "/console/experts/**").access(permission(Permissions.ADMIN_EXPERTS))
                        .requestMatchers("/console/policies", "/console/policies/**").access(permission(Permissions.ADMIN_POLICIES))
                        .requestMatchers("/console/quotas", "/console/quotas/**").access(permission(Permissions.ADMIN_POLICIES))
                        .requestMatchers("/console/kbs", "/console/kbs/**").access(permission(Permissions.ADMIN_KBS))
                        .requestMatchers("/console/playground", "/console/playground/**").access(permission(Permissions.CHAT))
                        .requestMatchers("/console/my-keys", "/console/my-keys/**").access(permission(Permissions.CHAT))
                        .anyRequest().authenticated())
                .oauth2Login(login -> login
                        .clientRegistrationRepository(registrations)
                        .loginPage(LOGIN)
                        .userInfoEndpoint(userInfo -> userInfo.oidcUserService(new ConsoleUserService(access, settings.groupsClaim())))
                        .successHandler((request, response, authentication) -> {
                            request.getSession().setMaxInactiveInterval(timeoutSeconds);
                            saved.onAuthenticationSuccess(request, response, authentication);
                        }))
                .logout(logout -> logout.logoutUrl("/console/logout").logoutSuccessUrl("/console/signed-out"))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(contentSecurityPolicy(settings)))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.SAME_ORIGIN))
                        .permissionsPolicyHeader(permissions -> permissions.policy(PERMISSIONS_POLICY)))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(LOGIN))
                        .accessDeniedHandler(forbidden()));
        return http.build();
    }

    /**
     * Scripts, styles and everything else from this origin only (htmx and console.js are served
     * here; no inline code, no eval), no framing, no plugins. Forms may also post to the identity
     * provider, where an expired session's form submission is redirected to sign in again.
     */
    static String contentSecurityPolicy(ConsoleSettings settings) {
        String formAction = "'self'";
        if (!settings.localProvider() && settings.issuer() != null && !settings.issuer().isBlank()) {
            URI issuer = URI.create(settings.issuer());
            formAction += " " + issuer.getScheme() + "://" + issuer.getRawAuthority();
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                + "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action " + formAction;
    }

    /** Whether the signed-in caller holds {@code permission}, wildcard grants included. */
    private static AuthorizationManager<RequestAuthorizationContext> permission(String permission) {
        return (authentication, context) -> new AuthorizationDecision(
                authentication.get() != null && authentication.get().getPrincipal() instanceof CallerPrincipal principal
                        && principal.caller().can(permission));
    }

    private static AccessDeniedHandler forbidden() {
        return (request, response, denied) -> {
            response.setStatus(403);
            response.setContentType(MediaType.TEXT_HTML_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("""
                    <!doctype html><html lang="en"><head><title>403 Forbidden · Ensemble</title>
                    <link rel="stylesheet" href="/console/console.css"></head><body><main>
                    <h1>403 Forbidden</h1><p>Your roles do not allow this page or action.</p>
                    <p><a href="/console">Back to the console</a></p></main></body></html>""");
        };
    }
}
