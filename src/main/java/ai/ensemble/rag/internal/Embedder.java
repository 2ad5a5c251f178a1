package ai.ensemble.rag.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Sentence embeddings for knowledge bases: the gateway-wide all-MiniLM-L6-v2 of
 * {@link SentenceEmbeddings} (one model per JVM, shared with the router and the guardrails), 384
 * dimensions, L2-normalised so that a dot product is the cosine similarity. Every embedding in this
 * module goes through this bean.
 */
@Component
public class Embedder {

    public static final int DIMENSIONS = SentenceEmbeddings.DIMENSIONS;

    /** One vector per text, in order. */
    public float[][] embed(List<String> texts) {
        return SentenceEmbeddings.embedAll(texts).toArray(float[][]::new);
    }

    /**
     * The text's vector, or null when the model finds nothing in it to embed (whitespace, control or
     * zero-width characters only), which it refuses with an exception.
     */
    public float[] embed(String text) {
        try {
            return SentenceEmbeddings.embed(text);
        } catch (IllegalArgumentException nothingToEmbed) {
            return null;
        }
    }
}
