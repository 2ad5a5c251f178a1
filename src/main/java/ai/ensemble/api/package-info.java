/** The OpenAI-compatible API: {@code /v1/chat/completions} (JSON and SSE) and {@code /v1/models}. */
package ai.ensemble.api;
