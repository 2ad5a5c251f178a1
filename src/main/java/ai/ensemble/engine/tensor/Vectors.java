package ai.ensemble.engine.tensor;

import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species {@link VectorKernels} uses and the conversions it needs. Floats use the
 * preferred shape (16 lanes with AVX-512, 8 with AVX2); shorts and bytes use the shape with as many
 * lanes, so one load of 16-bit or 8-bit weights converts to exactly one float vector. Like
 * {@code VectorKernels}, this class links against {@code jdk.incubator.vector}: only that class may
 * use it.
 */
final class Vectors {

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** The kernels need byte vectors of L lanes (at least 64 bits) and L dividing a 32-element block. */
    static final boolean SHAPE_SUITS = L >= 8 && L <= 16;
    static final VectorSpecies<Short> S = SHAPE_SUITS ? VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16)) : null;
    static final VectorSpecies<Byte> B = SHAPE_SUITS ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

    private Vectors() {
    }

    /** bfloat16 is the top half of a float32. */
    static FloatVector bf16ToFloat(ShortVector bits) {
        IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * IEEE half to float without a lookup table: shifting the 15 magnitude bits into float position
     * gives the value times 2^-112 for normal and subnormal halves alike; infinities and NaNs get
     * the float exponent back; the sign is moved over.
     */
    static FloatVector f16ToFloat(ShortVector bits) {
        IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = wide.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector value = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        value = value.blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.GE, 0x7c00));
        IntVector sign = wide.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return value.or(sign).reinterpretAsFloats();
    }

    static FloatVector bytesToFloat(ByteVector bytes) {
        return (FloatVector) bytes.convertShape(VectorOperators.B2F, F, 0);
    }
}
