/**
 * Policy guardrails: detectors for personal data and secrets, the {@link ai.ensemble.guardrail.Redactor}
 * that turns their findings into verdicts and typed placeholders, and the
 * {@link ai.ensemble.guardrail.StreamScanner} that scans a model's output as it streams, holding back a
 * bounded window so that nothing unscanned leaves. Plain Java for now; policies, per-role actions and
 * the request-path hooks are wired in by the integration.
 */
package ai.ensemble.guardrail;
