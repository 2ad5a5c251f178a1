/**
 * The admin console at {@code /console}: server-rendered pages (Thymeleaf, htmx) for people who sign
 * in through the identity provider (OIDC authorization code with PKCE). What a page shows and allows
 * follows the same roles and permissions as the API. Active only where a console client is configured.
 */
package ai.ensemble.console;
