/**
 * Sentence embeddings (all-MiniLM-L6-v2 through ONNX Runtime, in-process), shared by the modules that
 * compare texts by meaning: the router's classifier, the guardrails' prompt-injection classifier and denied
 * topics (and RAG's retrieval).
 */
package ai.ensemble.embedding;
