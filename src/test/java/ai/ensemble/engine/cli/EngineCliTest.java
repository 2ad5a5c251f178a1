package ai.ensemble.engine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EngineCliTest {

    private record Outcome(int status, String out, String err) {
        Map<String, Object> json() {
            return Json.parseObject(out.strip());
        }
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EngineCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generatesOnTheDemoModelAsJson() {
        Outcome outcome = run("generate", "--model", "demo", "--prompt", "Hello", "--max-tokens", "8", "--temperature", "0.7", "--seed", "3");
        assertThat(outcome.status()).isZero();
        Map<String, Object> json = outcome.json();
        assertThat(json.get("model")).isEqualTo("ensemble-demo-random");
        assertThat((List<?>) json.get("ids")).hasSizeLessThanOrEqualTo(8);
        assertThat(json.get("text")).isInstanceOf(String.class);
        assertThat(json).containsKeys("tokens_per_second", "prefill_ms", "finish_reason");
        assertThat(json.get("prompt_tokens")).isEqualTo(6L); // BOS + 5 bytes
        Outcome again = run("generate", "--model", "demo", "--prompt", "Hello", "--max-tokens", "8", "--temperature", "0.7", "--seed", "3");
        assertThat(again.json().get("ids")).isEqualTo(json.get("ids"));
    }

    @Test
    void generatesFromPromptIdsGreedilyByDefault() {
        Outcome outcome = run("generate", "--model", "demo:7", "--prompt-ids", "256,72,105", "--max-tokens", "4");
        assertThat(outcome.status()).isZero();
        Outcome again = run("generate", "--model", "demo:7", "--prompt-ids", "256,72,105", "--max-tokens", "4");
        assertThat(again.json().get("ids")).isEqualTo(outcome.json().get("ids"));
    }

    @Test
    void printsLogitsRowsByPosition() throws Exception {
        Path model = Path.of(getClass().getResource("/engine/fixtures/models/llama-tiny-f32").toURI());
        Outcome outcome = run("logits", "--model", model.toString(), "--prompt-ids", "1,17,243,99", "--positions", "0,3");
        assertThat(outcome.status()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> rows = (Map<String, Object>) outcome.json().get("rows");
        assertThat(rows.keySet()).containsExactly("0", "3");
        assertThat((List<?>) rows.get("3")).hasSize(512);
    }

    @Test
    void tokenizesWithTheDemoVocabulary() {
        Outcome outcome = run("tokenize", "--tokenizer", "demo", "--text", "hé");
        assertThat(outcome.json().get("ids")).isEqualTo(List.of(104L, 195L, 169L));
    }

    @Test
    void benchReportsTimingsAndBandwidth() {
        Outcome outcome = run("bench", "--model", "demo", "--prompt-len", "8", "--gen-len", "4", "--warmup", "1");
        assertThat(outcome.status()).isZero();
        Map<String, Object> json = outcome.json();
        assertThat(json).containsKeys("prefill_ms", "decode_tokens_per_second", "weight_gb_per_second", "weight_bytes_per_token");
        // 4 layers of (4 · 256·256/… ) etc.: q 256², k and v 128·256 each, o 256², MLP 3 · 704·256, tied output 264·256.
        long perLayer = 4L * (256 * 256 + 2 * 128 * 256 + 256 * 256 + 3 * 704 * 256 + 2 * 256);
        assertThat(json.get("weight_bytes_per_token")).isEqualTo(4 * perLayer + 4L * (264 * 256 + 256 + 256));
    }

    @Test
    void rejectsWrongCommandLinesWithStatus2AndAMessageNamingTheOption() {
        assertError(run(), "no command given");
        assertError(run("serve"), "unknown command 'serve'");
        assertError(run("generate", "--model", "demo"), "generate needs exactly one of --prompt and --prompt-ids");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--prompt-ids", "1"), "generate needs exactly one of --prompt and --prompt-ids");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--max-tokens", "many"), "--max-tokens must be an integer, got 'many'");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--max-tokens", "0"), "--max-tokens must be at least 1, got 0");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--temperature", "-1"), "temperature must be finite and at least 0, got -1.0");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--backend", "cuda"), "--backend cuda is not available (this build has: cpu)");
        assertError(run("generate", "--model", "demo", "--prompt"), "--prompt needs a value");
        assertError(run("generate", "--model", "demo", "--prompt", "a", "--colour", "red"), "generate does not take '--colour'");
        assertError(run("generate", "--model", "/no/such/model", "--prompt", "a"), "--model /no/such/model does not exist");
        assertError(run("logits", "--model", "demo", "--prompt-ids", "1,x"), "--prompt-ids must be comma-separated integers like 1,2,3, got '1,x'");
        assertError(run("logits", "--model", "demo", "--prompt-ids", "1,2", "--positions", "2"), "--positions 2 is past the 2 prompt ids");
        assertError(run("logits", "--model", "demo", "--prompt-ids", "1,2"), "logits needs --positions");
        assertError(run("generate", "--model", "demo", "--prompt-ids", "999"), "token id 999 is outside the vocabulary [0, 264)");
        assertError(run("bench", "--model", "demo", "--batch", "8"), "--batch 8: the CPU backend decodes one sequence at a time (batch 1)");
        assertError(run("bench", "--model", "random:llama-3.2-1b:q4"), "the weight type must be f32, bf16 or q8_0");
    }

    private static void assertError(Outcome outcome, String message) {
        assertThat(outcome.status()).as(outcome.out()).isEqualTo(2);
        assertThat((String) outcome.json().get("error")).contains(message);
    }
}
