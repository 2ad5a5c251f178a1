package ai.ensemble.router.internal;

import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions), run by ONNX Runtime from the model
 * inside the langchain4j jar. Loading the model takes about a second and the session is
 * thread-safe, so one instance serves the whole JVM (every application context in a test run, too).
 * Vectors come back L2-normalised, so a dot product is the cosine similarity.
 */
public final class SentenceEmbeddings {

    public static final String MODEL = "all-MiniLM-L6-v2";
    public static final int DIMENSIONS = 384;
    /**
     * The model (as packaged) reads the first 128 word pieces, about 600 characters of English;
     * text is cut well beyond that here so that a huge prompt costs no more to tokenize.
     */
    static final int MAX_CHARACTERS = 2000;

    private static volatile AllMiniLmL6V2EmbeddingModel model;

    private SentenceEmbeddings() {
    }

    private static AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel loaded = model;
        if (loaded == null) {
            synchronized (SentenceEmbeddings.class) {
                loaded = model;
                if (loaded == null) {
                    loaded = new AllMiniLmL6V2EmbeddingModel();
                    model = loaded;
                }
            }
        }
        return loaded;
    }

    /** Loads the model now, so that the first request does not pay for it. */
    public static void warmUp() {
        embed("warm up");
    }

    public static float[] embed(String text) {
        return normalised(model().embed(clip(text)).content().vector());
    }

    public static List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = texts.stream().map(t -> TextSegment.from(clip(t))).toList();
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (Embedding embedding : model().embedAll(segments).content()) {
            vectors.add(normalised(embedding.vector()));
        }
        return vectors;
    }

    private static String clip(String text) {
        String stripped = text == null ? "" : text.strip();
        return stripped.length() <= MAX_CHARACTERS ? stripped : stripped.substring(0, MAX_CHARACTERS);
    }

    static float[] normalised(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        if (norm == 0) {
            return vector;
        }
        float inverse = (float) (1 / Math.sqrt(norm));
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = vector[i] * inverse;
        }
        return unit;
    }
}
