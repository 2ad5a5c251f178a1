/**
 * Knowledge bases: documents ingested (JSON, JSONL or files through Apache Tika), chunked along
 * their structure, embedded with all-MiniLM-L6-v2 and stored in Postgres; hybrid retrieval
 * (Postgres full text and an in-memory vector index, fused by reciprocal rank) limited to the
 * knowledge bases the caller's roles may read ({@code kb:<id>:read}). The chat path calls
 * {@link ai.ensemble.rag.Retrieval} and renders the passages with {@link ai.ensemble.rag.Passages}.
 */
package ai.ensemble.rag;
