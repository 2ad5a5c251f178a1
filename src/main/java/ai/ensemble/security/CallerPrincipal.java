package ai.ensemble.security;

/**
 * A signed-in principal that stands for a {@link Caller}, for surfaces that authenticate with
 * something other than a bearer token (the console's OIDC login), so that {@link Callers#current()}
 * and everything built on it (audit records of access) see the same caller there.
 */
public interface CallerPrincipal {

    Caller caller();
}
