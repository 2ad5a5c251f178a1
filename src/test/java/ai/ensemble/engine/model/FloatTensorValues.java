package ai.ensemble.engine.model;

import java.util.Random;

final class FloatTensorValues {

    private FloatTensorValues() {
    }

    static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        return values;
    }
}
