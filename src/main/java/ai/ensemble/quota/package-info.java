/**
 * Quotas: token budgets and request rates per user, role and API key, per minute, day or month.
 * A request reserves its largest possible token count before it runs ({@link ai.ensemble.quota.QuotaService#reserve})
 * and settles the tokens it really used afterwards; the reservation is a row-locked update in
 * Postgres, so budgets hold across gateway replicas. {@link ai.ensemble.quota.QuotaLimits} manages
 * quotas for the console as {@code /admin/api/quotas} does.
 */
package ai.ensemble.quota;
