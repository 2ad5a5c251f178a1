package ai.ensemble.engine.cuda;

/** bfloat16 bits (the upper half of an f32) to and from float, for uploads and CPU references. */
final class Bf16 {

    private Bf16() {
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even, as torch does (NaN is not expected in weights). */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }
}
