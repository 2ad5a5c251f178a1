package ai.ensemble.engine.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs on any machine: the committed PTX must be built from the current kernel sources. */
class KernelSourcesTest {

    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path PTX = Path.of("src/main/resources/ai/ensemble/engine/cuda");

    @Test
    void everyKernelSourceHasPtxBuiltFromItsCurrentText() throws Exception {
        List<Path> sources = list(SOURCES, ".cu");
        assertThat(sources).as("kernel sources in %s", SOURCES).isNotEmpty();
        for (Path source : sources) {
            String op = source.getFileName().toString().replace(".cu", "");
            Path ptx = PTX.resolve(op + ".ptx");
            assertThat(ptx).as("PTX of %s (run scripts/build-kernels.sh)", source).exists();
            String firstLine = Files.readAllLines(ptx).getFirst();
            assertThat(firstLine)
                    .as("%s was built from another version of %s: run scripts/build-kernels.sh", ptx, source)
                    .isEqualTo("// source-sha256: " + sha256(source));
        }
    }

    /** An included header is part of the hash: a .cu that includes one hashes differently from the .cu alone. */
    @Test
    void kernelsIncludingAHeaderAreHashedWithIt() throws Exception {
        Path gemv = SOURCES.resolve("gemv.cu");
        assertThat(includes(gemv)).containsExactly(SOURCES.resolve("gemv_common.cuh"));
        assertThat(includes(SOURCES.resolve("gemv_q8.cu"))).containsExactly(SOURCES.resolve("gemv_common.cuh"));
        assertThat(sha256(gemv)).isNotEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gemv))));
        for (Path header : list(SOURCES, ".cuh")) {
            assertThat(includes(header)).as("%s includes no local header (build-kernels.sh hashes one level)", header).isEmpty();
        }
    }

    @Test
    void everyPtxHasItsKernelSource() throws Exception {
        for (Path ptx : list(PTX, ".ptx")) {
            String op = ptx.getFileName().toString().replace(".ptx", "");
            assertThat(SOURCES.resolve(op + ".cu")).as("source of %s", ptx).exists();
        }
    }

    /**
     * Programmatic dependent launch is safe only for kernels that wait on their predecessor before
     * reading its results; CudaContext decides from the PTX. Every kernel of the decode graph after the
     * first must wait, the prefill kernels (launched plainly) need not.
     */
    @Test
    void decodeGraphKernelsWaitOnTheirPredecessorInTheirPtx() throws Exception {
        for (String[] kernel : new String[][] {{"gemv", "gemv_bf16"}, {"gemv", "gemv_bf16_residual"}, {"gemv", "gemv_bf16_residual_r1"},
                {"gemv", "gemv_bf16_swiglu"}, {"gemv", "gemv_bf16_qkv_rope"}, {"attention", "attention_decode"},
                {"attention", "attention_decode_d64"}, {"attention", "attention_decode_d128"}, {"argmax", "argmax_advance"}}) {
            assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve(kernel[0] + ".ptx")), kernel[1]))
                    .as("%s in %s.ptx waits (griddepcontrol.wait)", kernel[1], kernel[0]).isTrue();
        }
        for (String type : new String[] {"f16", "f32"}) { // the other weight types' decode GEMVs wait too
            for (String suffix : new String[] {"", "_residual", "_residual_r1", "_swiglu", "_qkv_rope"}) {
                assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("gemv.ptx")), "gemv_" + type + suffix))
                        .as("gemv_%s%s waits", type, suffix).isTrue();
            }
        }
        for (String suffix : new String[] {"", "_residual", "_residual_r1", "_swiglu", "_qkv_rope"}) {
            assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("gemv_q8.ptx")), "gemv_q8_0" + suffix))
                    .as("gemv_q8_0%s waits", suffix).isTrue();
        }
        assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("dequant.ptx")), "gather_rows_q8_0")).isFalse();
        assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("attention.ptx")), "attention_prefill")).isFalse();
        assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("embedding.ptx")), "embedding_gather")).isFalse();
        assertThat(CudaContext.waitsOnPredecessor(Files.readString(PTX.resolve("gemv.ptx")), "no_such_kernel")).isFalse();
    }

    private static List<Path> list(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** As scripts/build-kernels.sh: the .cu's bytes, then each header it includes with #include "name", in order. */
    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(Files.readAllBytes(file));
        for (Path header : includes(file)) {
            digest.update(Files.readAllBytes(header));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static List<Path> includes(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(INCLUDE::matcher)
                .filter(java.util.regex.Matcher::matches)
                .map(m -> file.resolveSibling(m.group(1)))
                .toList();
    }

    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("^#include \"([^\"]*)\".*");
}
