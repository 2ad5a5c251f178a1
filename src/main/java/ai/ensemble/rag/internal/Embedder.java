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

    public float[] embed(String text) {
        return SentenceEmbeddings.embed(text);
    }
}
