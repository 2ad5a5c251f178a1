package ai.ensemble.engine.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ai.ensemble.engine.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine in a child JVM started the way {@code java -jar} starts it, without
 * {@code --add-modules jdk.incubator.vector}: it must run (on the scalar kernels, and say so), and
 * greedy decoding must give the same ids as a child with the module (vector kernels). The demo
 * model's logits differ between the two only in float rounding (summation order), far below the
 * gaps between its top logits, so the ids are compared exactly.
 */
class KernelChoiceEndToEndTest {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private record Child(int status, String out, String err) {
        @SuppressWarnings("unchecked")
        List<Object> ids() {
            return (List<Object>) Json.parseObject(out.strip()).get("ids");
        }
    }

    private static Child withoutModule;
    private static Child withModule;

    @BeforeAll
    static void runBoth(@TempDir Path folder) throws Exception {
        withoutModule = generate(false, folder);
        withModule = generate(true, folder);
    }

    private static Child generate(boolean vectorModule, Path folder) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            command.add("--add-modules");
            command.add(VECTOR_MODULE);
        }
        command.addAll(List.of("-cp", testClassPath(), "ai.ensemble.engine.cli.EngineCli",
                "generate", "--model", "demo", "--prompt", "hi", "--max-tokens", "8"));
        Path out = folder.resolve((vectorModule ? "vector" : "scalar") + ".out");
        Path err = folder.resolve((vectorModule ? "vector" : "scalar") + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // The launcher and the VM also read options from these variables: the child gets only the flags above.
        builder.environment().keySet().removeAll(List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("EngineCli generate did not finish in 120 s: " + command);
        }
        return new Child(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The test JVM's class path (Surefire's real one when it runs the tests through a manifest-only jar). */
    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    @Test
    void generatesWithoutTheVectorModuleOnScalarKernels() {
        assertThat(withoutModule.status()).as(withoutModule.err()).isZero();
        Map<String, Object> json = Json.parseObject(withoutModule.out().strip());
        assertThat(json.get("model")).isEqualTo("ensemble-demo-random");
        assertThat(withoutModule.ids()).hasSize(8);
        assertThat(withoutModule.err())
                .contains("engine kernels: scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)")
                .doesNotContain("NoClassDefFoundError");
    }

    @Test
    void vectorKernelsGenerateTheSameIds() {
        assertThat(withModule.status()).as(withModule.err()).isZero();
        assertThat(withModule.err()).contains("engine kernels: ");
        assertThat(withModule.ids()).hasSize(8).isEqualTo(withoutModule.ids());
    }
}
