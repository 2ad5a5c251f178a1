/**
 * Who is calling and what they may do: JWTs from trusted OIDC issuers, API keys, roles and
 * permissions in Postgres, group mappings, and the dev identity provider (profile {@code dev}).
 */
package ai.ensemble.security;
