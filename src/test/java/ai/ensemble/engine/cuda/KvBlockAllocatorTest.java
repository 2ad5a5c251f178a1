package ai.ensemble.engine.cuda;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The block bookkeeping of the paged KV cache, without a GPU. */
class KvBlockAllocatorTest {

    @Test
    void growsATableBlockByBlockAndNeverHandsOutBlockZero() {
        KvBlockAllocator blocks = new KvBlockAllocator(5, 4); // blocks 1..4 usable
        assertThat(blocks.total()).isEqualTo(4);
        int[] table = blocks.grow(null, 3);
        assertThat(table).hasSize(1);
        assertThat(blocks.grow(table, 4)).isSameAs(table); // still one block
        int[] grown = blocks.grow(table, 5);
        assertThat(grown).hasSize(2).startsWith(table[0]);
        assertThat(blocks.inUse()).isEqualTo(2);
        assertThat(blocks.free()).isEqualTo(2);
        int[] other = blocks.grow(null, 8);
        Set<Integer> seen = new HashSet<>();
        for (int b : grown) {
            seen.add(b);
        }
        for (int b : other) {
            seen.add(b);
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(blocks.free()).isZero();
    }

    @Test
    void aGrowthThatDoesNotFitTakesNothing() {
        KvBlockAllocator blocks = new KvBlockAllocator(4, 2); // 3 usable
        int[] table = blocks.grow(null, 2);
        assertThat(blocks.grow(table, 7)).isNull(); // needs 3 more, 2 free
        assertThat(blocks.free()).isEqualTo(2);
        assertThat(blocks.grow(table, 6)).hasSize(3);
        assertThat(blocks.free()).isZero();
        assertThat(blocks.grow(null, 1)).isNull();
    }

    @Test
    void releaseReturnsBlocksAndRefusesADoubleFree() {
        KvBlockAllocator blocks = new KvBlockAllocator(4, 2);
        int[] a = blocks.grow(null, 4);
        int[] b = blocks.grow(null, 1);
        blocks.release(a);
        assertThat(blocks.free()).isEqualTo(2);
        assertThat(blocks.inUse()).isEqualTo(1);
        assertThatThrownBy(() -> blocks.release(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not in use");
        assertThatThrownBy(() -> blocks.release(new int[] {0})).isInstanceOf(IllegalStateException.class);
        blocks.release(b);
        blocks.release(null);
        assertThat(blocks.free()).isEqualTo(3);
        assertThat(blocks.inUse()).isZero();
    }

    @Test
    void blocksForRoundsUp() {
        KvBlockAllocator blocks = new KvBlockAllocator(2, 16);
        assertThat(blocks.blocksFor(0)).isZero();
        assertThat(blocks.blocksFor(1)).isEqualTo(1);
        assertThat(blocks.blocksFor(16)).isEqualTo(1);
        assertThat(blocks.blocksFor(17)).isEqualTo(2);
        assertThatThrownBy(() -> new KvBlockAllocator(1, 16)).isInstanceOf(IllegalArgumentException.class);
    }
}
