/**
 * The composition-of-experts router: the expert registry (Postgres, seeded from
 * {@code ensemble.experts}), example utterances and the classifier trained from them, health
 * probes with circuit breakers, the routing decision with its confidence fallback, and the
 * evaluation harness. {@link ai.ensemble.router.Router} is what the API calls.
 */
package ai.ensemble.router;
