/**
 * The audit log: every request and every answer that passes through Ensemble, committed to
 * Postgres before the model runs and before the answer completes.
 */
package ai.ensemble.audit;
