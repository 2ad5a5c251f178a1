/**
 * The {@link ai.ensemble.expert.Expert} port: one model that answers a chat, on an upstream
 * OpenAI-compatible server or (with the engine issues) on Ensemble's own inference core.
 */
package ai.ensemble.expert;
