package ai.ensemble.engine.cpu;

/** The CPU backend's cache: per layer, one float array of keys and one of values. */
final class ArrayKvCache implements KvCache {

    final float[][] keys;   // (layer, position * kvHeads * headDim)
    final float[][] values; // (layer, position * kvHeads * headDim)
    private final int capacity;

    ArrayKvCache(int layers, int capacity, int kvDim) {
        if ((long) capacity * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " × " + kvDim
                    + " floats exceeds one Java array per layer; ask for fewer positions");
        }
        this.capacity = capacity;
        this.keys = new float[layers][capacity * kvDim];
        this.values = new float[layers][capacity * kvDim];
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
