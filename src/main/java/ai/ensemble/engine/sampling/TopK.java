package ai.ensemble.engine.sampling;

import java.util.Arrays;

/**
 * The indices of the largest values of a float array, largest first. Each (value, index) pair is
 * packed into one long whose signed order is the value's order, so that selecting and sorting use
 * primitive arrays and no boxing, even over a 128k vocabulary.
 */
final class TopK {

    private TopK() {
    }

    /** The indices of the k largest values, largest first; ties go to the lower index. */
    static int[] largest(float[] values, int k) {
        int n = values.length;
        k = Math.min(k, n);
        long[] heap = new long[k]; // min-heap of packed keys: heap[0] is the smallest kept
        int size = 0;
        for (int i = 0; i < n; i++) {
            long key = key(values[i], i);
            if (size < k) {
                heap[size] = key;
                siftUp(heap, size++);
            } else if (key > heap[0]) {
                heap[0] = key;
                siftDown(heap, k);
            }
        }
        Arrays.sort(heap, 0, size);
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = index(heap[size - 1 - i]);
        }
        return indices;
    }

    /** {@code indices} sorted by {@code values[index]}, largest first; ties go to the lower index. */
    static int[] sortDescending(float[] values, int[] indices) {
        long[] keys = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            keys[i] = key(values[indices[i]], indices[i]);
        }
        Arrays.sort(keys);
        int[] sorted = new int[indices.length];
        for (int i = 0; i < keys.length; i++) {
            sorted[i] = index(keys[keys.length - 1 - i]);
        }
        return sorted;
    }

    /**
     * High 32 bits: the float's bits mapped so that signed int order is float order; low 32 bits:
     * the complement of the index, so that among equal values the lower index ranks higher.
     */
    static long key(float value, int index) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ordered << 32) | (~index & 0xffffffffL);
    }

    static int index(long key) {
        return ~(int) key;
    }

    private static void siftUp(long[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] <= heap[i]) {
                return;
            }
            long swap = heap[parent];
            heap[parent] = heap[i];
            heap[i] = swap;
            i = parent;
        }
    }

    private static void siftDown(long[] heap, int size) {
        int i = 0;
        while (true) {
            int smallest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && heap[left] < heap[smallest]) {
                smallest = left;
            }
            if (right < size && heap[right] < heap[smallest]) {
                smallest = right;
            }
            if (smallest == i) {
                return;
            }
            long swap = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = swap;
            i = smallest;
        }
    }
}
