package ai.ensemble.rag.internal;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VectorIndexTest {

    private static float[] unit(int dimension) {
        float[] vector = new float[Embedder.DIMENSIONS];
        vector[dimension] = 1;
        return vector;
    }

    @Test
    void scansOnlyTheGivenPartitions() {
        VectorIndex index = new VectorIndex(null);
        UUID secret = UUID.randomUUID();
        UUID open = UUID.randomUUID();
        index.put("secret", secret, new long[] {1}, new float[][] {unit(0)});
        index.put("open", open, new long[] {2, 3}, new float[][] {unit(1), unit(2)});

        List<VectorIndex.Hit> hits = index.search(List.of("open"), unit(0), 10);

        assertThat(hits).extracting(VectorIndex.Hit::chunkId).containsExactlyInAnyOrder(2L, 3L);
        assertThat(index.search(List.of("open", "secret"), unit(0), 1)).extracting(VectorIndex.Hit::chunkId).containsExactly(1L);
    }

    @Test
    void replacingOrRemovingADocumentReplacesItsVectors() {
        VectorIndex index = new VectorIndex(null);
        UUID document = UUID.randomUUID();
        index.put("kb", document, new long[] {1, 2}, new float[][] {unit(0), unit(1)});
        index.put("kb", document, new long[] {7}, new float[][] {unit(3)});

        assertThat(index.search(List.of("kb"), unit(3), 5)).extracting(VectorIndex.Hit::chunkId).containsExactly(7L);
        index.remove("kb", document);
        assertThat(index.search(List.of("kb"), unit(3), 5)).isEmpty();
    }

    @Test
    void ranksBySimilarity() {
        VectorIndex index = new VectorIndex(null);
        float[] near = unit(0);
        near[0] = 0.9f;
        near[1] = 0.3f;
        float[] far = unit(1);
        index.put("kb", UUID.randomUUID(), new long[] {1, 2, 3}, new float[][] {far, near, unit(0)});

        assertThat(index.search(List.of("kb"), unit(0), 3)).extracting(VectorIndex.Hit::chunkId).containsExactly(3L, 2L, 1L);
    }
}
