/**
 * Tokenizers that give exactly Hugging Face {@code tokenizers}' ids, loaded from tokenizer.json or
 * GGUF metadata ({@link ai.ensemble.engine.tokenizer.Tokenizers}): byte-level BPE with the
 * pre-tokenizer regex (Llama 3, Qwen 2/3) and SentencePiece-style BPE with byte fallback (Llama 2,
 * Mistral); a {@link ai.ensemble.engine.tokenizer.StreamingDecoder} for generated text; and the
 * chat formats of those families ({@link ai.ensemble.engine.tokenizer.ChatTemplate}).
 */
package ai.ensemble.engine.tokenizer;
