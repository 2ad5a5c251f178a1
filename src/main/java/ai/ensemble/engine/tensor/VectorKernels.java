package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.MappedTensor.INT;
import static ai.ensemble.engine.tensor.MappedTensor.LONG;
import static ai.ensemble.engine.tensor.Vectors.B;
import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.I;
import static ai.ensemble.engine.tensor.Vectors.L;
import static ai.ensemble.engine.tensor.Vectors.LE;
import static ai.ensemble.engine.tensor.Vectors.S;

/**
 * The kernels on the Vector API. Loaded by name from {@link Kernels#choose} and only when the
 * {@code jdk.incubator.vector} module is in the boot layer: this class links against it. Dots keep
 * two accumulators (or one per nibble half) so that consecutive fused multiply-adds do not wait on
 * each other; quantised dots sum a block's q · x before applying its scale, as ggml does.
 */
final class VectorKernels extends Kernels {

    private final String name;

    VectorKernels() {
        if (!Vectors.SHAPE_SUITS) {
            throw new UnsupportedOperationException("the preferred vector shape has " + L
                    + " float lanes; the kernels need 8 or 16");
        }
        this.name = "vector (" + instructionSet(F.vectorBitSize()) + ", " + L + " lanes)";
    }

    private static String instructionSet(int bits) {
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return bits == 512 ? "AVX-512" : bits == 256 ? "AVX2" : bits + "-bit";
        }
        return arch + " " + bits + "-bit";
    }

    @Override
    String name() {
        return name;
    }

    @Override
    boolean isVector() {
        return true;
    }

    @Override
    float dotF32(float[] w, int wOffset, float[] x, int xOffset, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            acc0 = FloatVector.fromArray(F, w, wOffset + i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = FloatVector.fromArray(F, w, wOffset + i + L).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        float result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            result += w[wOffset + i] * x[xOffset + i];
        }
        return result;
    }

    @Override
    float dotF32(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            long at = byteOffset + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F, w, at, LE).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, at + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        float result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            result += w.get(MappedTensor.FLOAT, byteOffset + 4L * i) * x[xOffset + i];
        }
        return result;
    }

    @Override
    float dotF16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            long at = byteOffset + 2L * i;
            FloatVector w0 = Vectors.f16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
            FloatVector w1 = Vectors.f16ToFloat(ShortVector.fromMemorySegment(S, w, at + 2L * L, LE));
            acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        float result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            result += half(w, byteOffset + 2L * i) * x[xOffset + i];
        }
        return result;
    }

    @Override
    float dotBf16(MemorySegment w, long byteOffset, float[] x, int xOffset, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - n % (2 * L); i < upper; i += 2 * L) {
            long at = byteOffset + 2L * i;
            FloatVector w0 = Vectors.bf16ToFloat(ShortVector.fromMemorySegment(S, w, at, LE));
            FloatVector w1 = Vectors.bf16ToFloat(ShortVector.fromMemorySegment(S, w, at + 2L * L, LE));
            acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        float result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            result += bf16(w, byteOffset + 2L * i) * x[xOffset + i];
        }
        return result;
    }

    @Override
    float dotQ8_0(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        long at = byteOffset;
        for (int b = 0, i = xOffset; b < blocks; b++, at += Q8_0Tensor.BLOCK_BYTES, i += Q8_0Tensor.BLOCK) {
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < Q8_0Tensor.BLOCK; j += L) {
                FloatVector q = Vectors.bytesToFloat(ByteVector.fromMemorySegment(B, w, at + 2 + j, LE));
                sum = q.fma(FloatVector.fromArray(F, x, i + j), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, half(w, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    float dotQ4_0(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        long at = byteOffset;
        for (int b = 0, i = xOffset; b < blocks; b++, at += Q4_0Tensor.BLOCK_BYTES, i += Q4_0Tensor.BLOCK) {
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < Q4_0Tensor.BLOCK / 2; j += L) {
                IntVector packed = nibblePairs(w, at + 2 + j);
                FloatVector low = (FloatVector) packed.and(0x0f).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector high = (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f).sub(8)
                        .convert(VectorOperators.I2F, 0);
                sum = low.fma(FloatVector.fromArray(F, x, i + j), sum);
                sum = high.fma(FloatVector.fromArray(F, x, i + j + Q4_0Tensor.BLOCK / 2), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, half(w, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    float dotQ4_K(MemorySegment w, long byteOffset, float[] x, int xOffset, int blocks) {
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        long at = byteOffset;
        for (int b = 0, i = xOffset; b < blocks; b++, at += Q4_KTensor.BLOCK_BYTES, i += Q4_KTensor.BLOCK) {
            float d = half(w, at);
            float negativeDmin = -half(w, at + 2);
            // The 12 scale bytes in two reads: bytes 0-7 and 8-11.
            long first = w.get(LONG, at + Q4_KTensor.SCALES);
            int last = w.get(INT, at + Q4_KTensor.SCALES + 8);
            for (int chunk = 0; chunk < 4; chunk++) {
                FloatVector lowScale = FloatVector.broadcast(F, d * Q4_KTensor.packedScale(first, last, 2 * chunk));
                FloatVector lowMin = FloatVector.broadcast(F, negativeDmin * Q4_KTensor.packedMin(first, last, 2 * chunk));
                FloatVector highScale = FloatVector.broadcast(F, d * Q4_KTensor.packedScale(first, last, 2 * chunk + 1));
                FloatVector highMin = FloatVector.broadcast(F, negativeDmin * Q4_KTensor.packedMin(first, last, 2 * chunk + 1));
                int base = i + chunk * 64;
                for (int j = 0; j < 32; j += L) {
                    IntVector packed = nibblePairs(w, at + Q4_KTensor.QS + chunk * 32L + j);
                    FloatVector low = ((FloatVector) packed.and(0x0f).convert(VectorOperators.I2F, 0)).fma(lowScale, lowMin);
                    FloatVector high = ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f)
                            .convert(VectorOperators.I2F, 0)).fma(highScale, highMin);
                    accLow = low.fma(FloatVector.fromArray(F, x, base + j), accLow);
                    accHigh = high.fma(FloatVector.fromArray(F, x, base + 32 + j), accHigh);
                }
            }
        }
        return accLow.add(accHigh).reduceLanes(VectorOperators.ADD);
    }

    /** L bytes widened to ints; nibbles are split after widening because byte-lane shifts are slow on x86. */
    private static IntVector nibblePairs(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    @Override
    void copyF16(MemorySegment w, long byteOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            Vectors.f16ToFloat(ShortVector.fromMemorySegment(S, w, byteOffset + 2L * i, LE)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = half(w, byteOffset + 2L * i);
        }
    }

    @Override
    void copyBf16(MemorySegment w, long byteOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            Vectors.bf16ToFloat(ShortVector.fromMemorySegment(S, w, byteOffset + 2L * i, LE)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = bf16(w, byteOffset + 2L * i);
        }
    }

    @Override
    void copyQ8_0(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks) {
        long at = byteOffset;
        for (int b = 0, o = outOffset; b < blocks; b++, at += Q8_0Tensor.BLOCK_BYTES, o += Q8_0Tensor.BLOCK) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            for (int j = 0; j < Q8_0Tensor.BLOCK; j += L) {
                Vectors.bytesToFloat(ByteVector.fromMemorySegment(B, w, at + 2 + j, LE)).mul(d).intoArray(out, o + j);
            }
        }
    }

    @Override
    void copyQ4_0(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks) {
        long at = byteOffset;
        for (int b = 0, o = outOffset; b < blocks; b++, at += Q4_0Tensor.BLOCK_BYTES, o += Q4_0Tensor.BLOCK) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            for (int j = 0; j < Q4_0Tensor.BLOCK / 2; j += L) {
                IntVector packed = nibblePairs(w, at + 2 + j);
                ((FloatVector) packed.and(0x0f).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, o + j);
                ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f).sub(8).convert(VectorOperators.I2F, 0))
                        .mul(d).intoArray(out, o + j + Q4_0Tensor.BLOCK / 2);
            }
        }
    }

    /** q · (d · scale) − dmin · min, multiplied then subtracted (not fused) so that it equals getFloat exactly. */
    @Override
    void copyQ4_K(MemorySegment w, long byteOffset, float[] out, int outOffset, int blocks) {
        long at = byteOffset;
        for (int b = 0, o = outOffset; b < blocks; b++, at += Q4_KTensor.BLOCK_BYTES, o += Q4_KTensor.BLOCK) {
            float d = half(w, at);
            float dmin = half(w, at + 2);
            long first = w.get(LONG, at + Q4_KTensor.SCALES);
            int last = w.get(INT, at + Q4_KTensor.SCALES + 8);
            for (int chunk = 0; chunk < 4; chunk++) {
                FloatVector lowScale = FloatVector.broadcast(F, d * Q4_KTensor.packedScale(first, last, 2 * chunk));
                FloatVector lowMin = FloatVector.broadcast(F, dmin * Q4_KTensor.packedMin(first, last, 2 * chunk));
                FloatVector highScale = FloatVector.broadcast(F, d * Q4_KTensor.packedScale(first, last, 2 * chunk + 1));
                FloatVector highMin = FloatVector.broadcast(F, dmin * Q4_KTensor.packedMin(first, last, 2 * chunk + 1));
                int base = o + chunk * 64;
                for (int j = 0; j < 32; j += L) {
                    IntVector packed = nibblePairs(w, at + Q4_KTensor.QS + chunk * 32L + j);
                    ((FloatVector) packed.and(0x0f).convert(VectorOperators.I2F, 0)).mul(lowScale).sub(lowMin)
                            .intoArray(out, base + j);
                    ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f).convert(VectorOperators.I2F, 0))
                            .mul(highScale).sub(highMin).intoArray(out, base + 32 + j);
                }
            }
        }
    }
}
