package ai.ensemble.engine.model;

import java.util.Set;

import ai.ensemble.engine.tensor.FloatTensor;

/** Named tensors of a model file (or of several shards), memory-mapped. */
public interface TensorSource {

    Set<String> names();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** Row-major shape, outermost dimension first: a (rows, cols) matrix is {@code [rows, cols]}. */
    long[] shape(String name);

    FloatTensor tensor(String name);
}
