/**
 * Guardrail policies: stored in Postgres, managed through {@code /admin/api/policies} and seeded
 * from {@code ensemble.guardrail.policies}; {@link ai.ensemble.policy.Guardrails} screens a request's
 * input and its answer (streamed or not) with the detectors of the guardrail module;
 * {@link ai.ensemble.policy.PolicyAdministration} offers the same management to the console.
 */
package ai.ensemble.policy;
