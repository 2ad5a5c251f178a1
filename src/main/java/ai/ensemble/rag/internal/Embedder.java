package ai.ensemble.rag.internal;

import java.util.List;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.springframework.stereotype.Component;

/**
 * Sentence embeddings for knowledge bases: all-MiniLM-L6-v2 on ONNX Runtime, 384 dimensions,
 * L2-normalised so that a dot product is the cosine similarity. Every embedding in this module
 * goes through this class, so it can be swapped for a gateway-wide embedder later.
 */
@Component
public class Embedder {

    public static final int DIMENSIONS = 384;

    /** The model is loaded once per JVM (tests start several contexts), on first use. */
    private static final class Model {
        static final EmbeddingModel INSTANCE = new AllMiniLmL6V2EmbeddingModel();
    }

    /** One vector per text, in order; the model runs the batch on its own thread pool. */
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        List<Embedding> embeddings = Model.INSTANCE.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        float[][] vectors = new float[embeddings.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = normalised(embeddings.get(i).vector());
        }
        return vectors;
    }

    public float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    static float[] normalised(float[] vector) {
        if (vector.length != DIMENSIONS) {
            throw new IllegalStateException("expected " + DIMENSIONS + " dimensions, the model gave " + vector.length);
        }
        double sum = 0;
        for (float v : vector) {
            sum += v * v;
        }
        float[] out = vector.clone();
        if (sum > 0) {
            float scale = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < out.length; i++) {
                out[i] *= scale;
            }
        }
        return out;
    }
}
