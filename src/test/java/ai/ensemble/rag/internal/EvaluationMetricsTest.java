package ai.ensemble.rag.internal;

import java.util.List;
import java.util.Map;

import ai.ensemble.rag.internal.HybridRetriever.RankedChunk;
import ai.ensemble.shared.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvaluationMetricsTest {

    @Test
    void ndcgAndRecallFollowTheirDefinitions() {
        Map<String, Integer> relevant = Map.of("a", 1, "b", 1);

        assertThat(Evaluation.ndcg(List.of("a", "b", "c"), relevant, 10)).isEqualTo(1.0);
        // b at rank 2 only: (1/log2(3)) / (1 + 1/log2(3))
        assertThat(Evaluation.ndcg(List.of("c", "b"), relevant, 10)).isCloseTo(0.6309 / 1.6309, within(1e-3));
        assertThat(Evaluation.recall(List.of("c", "b"), relevant, 10)).isEqualTo(0.5);
        assertThat(Evaluation.recall(List.of("c", "b"), relevant, 1)).isZero();
    }

    @Test
    void reciprocalRankFusionRewardsAgreement() {
        var a = new RankedChunk(1, null, 0);
        var b = new RankedChunk(2, null, 0);
        var c = new RankedChunk(3, null, 0);

        List<RankedChunk> fused = HybridRetriever.fuse(List.of(List.of(a, b, c), List.of(b, c)), 3);

        assertThat(fused).extracting(RankedChunk::chunkId).containsExactly(2L, 3L, 1L);
        assertThat(fused.getFirst().score()).isCloseTo(1.0 / 62 + 1.0 / 61, within(1e-12));
    }

    @Test
    void parsesBeirFilesAndNamesTheBadLine() {
        assertThat(Evaluation.parseQueries("{\"_id\":\"1\",\"text\":\"what\"}\n\n{\"_id\":\"2\",\"text\":\"why\"}")).hasSize(2);
        assertThat(Evaluation.parseQrels("query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t0\n")).isEqualTo(Map.of("1", Map.of("d1", 1)));
        assertThatThrownBy(() -> Evaluation.parseQrels("1\td1\n")).isInstanceOf(ApiException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> Evaluation.parseQueries("{\"_id\":\"1\"}")).isInstanceOf(ApiException.class).hasMessageContaining("line 1");
    }
}
