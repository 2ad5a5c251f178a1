package ai.ensemble.embedding;

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

    /**
     * Recent texts' vectors: the guardrails' detectors embed the same windows of a prompt one after
     * another (and retries repeat a request), so the second lookup is free. Bounded, least recently
     * used out; vectors are never mutated by callers.
     */
    private static final int CACHE_SIZE = 1024;
    private static final java.util.Map<String, float[]> CACHE = new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private static float[] cached(String clipped) {
        synchronized (CACHE) {
            return CACHE.get(clipped);
        }
    }

    private static void remember(String clipped, float[] vector) {
        synchronized (CACHE) {
            CACHE.put(clipped, vector);
        }
    }

    public static float[] embed(String text) {
        String clipped = clip(text);
        float[] vector = cached(clipped);
        if (vector == null) {
            vector = normalised(model().embed(clipped).content().vector());
            remember(clipped, vector);
        }
        return vector;
    }

    public static List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<String> clipped = texts.stream().map(SentenceEmbeddings::clip).toList();
        float[][] vectors = new float[clipped.size()][];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < clipped.size(); i++) {
            vectors[i] = cached(clipped.get(i));
            if (vectors[i] == null) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            List<TextSegment> segments = missing.stream().map(i -> TextSegment.from(clipped.get(i))).toList();
            List<Embedding> embeddings = model().embedAll(segments).content();
            for (int j = 0; j < missing.size(); j++) {
                float[] vector = normalised(embeddings.get(j).vector());
                vectors[missing.get(j)] = vector;
                remember(clipped.get(missing.get(j)), vector);
            }
        }
        return java.util.Arrays.asList(vectors);
    }

    private static String clip(String text) {
        String stripped = text == null ? "" : text.strip();
        return stripped.length() <= MAX_CHARACTERS ? stripped : stripped.substring(0, MAX_CHARACTERS);
    }

    /**
     * As {@link #embedAll}, but a text the model finds nothing in (whitespace, control or zero-width
     * characters only: the model refuses it) gives null in its place instead of failing the batch.
     */
    public static List<float[]> embedEach(List<String> texts) {
        try {
            return embedAll(texts);
        } catch (IllegalArgumentException nothingToEmbed) {
            List<float[]> vectors = new ArrayList<>(texts.size());
            for (String text : texts) {
                try {
                    vectors.add(embed(text));
                } catch (IllegalArgumentException refused) {
                    vectors.add(null);
                }
            }
            return vectors;
        }
    }

    public static float[] normalised(float[] vector) {
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
