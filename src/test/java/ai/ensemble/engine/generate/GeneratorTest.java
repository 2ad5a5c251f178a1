package ai.ensemble.engine.generate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cpu.KvCache;
import ai.ensemble.engine.demo.DemoVocabulary;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;
import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {

    private static final Tokenizer TOKENIZER = Tokenizers.fromGguf(DemoVocabulary.ggufMetadata());
    private static final int[] PROMPT = {DemoVocabulary.BEGIN_OF_TEXT, 'h', 'i'};

    @Test
    void stopsOnAnEndOfSequenceTokenOfTheModelWithoutEmittingIt() {
        Recorder recorder = new Recorder();
        GenerationResult result = scripted(bytes("Hi!"), DemoVocabulary.END_OF_TURN, 'x')
                .generate(PROMPT, GenerationParameters.of(10, SamplingSettings.GREEDY), recorder, () -> false);
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(result.ids()).containsExactly((int) 'H', (int) 'i', (int) '!');
        assertThat(result.text()).isEqualTo("Hi!");
        assertThat(recorder.tokens).containsExactly((int) 'H', (int) 'i', (int) '!');
        assertThat(result.promptTokens()).isEqualTo(3);
        assertThat(result.completionTokens()).isEqualTo(3);
    }

    @Test
    void stopsOnATokenTheCallerNames() {
        GenerationResult result = scripted(bytes("ab;cd")).generate(PROMPT,
                GenerationParameters.of(10, SamplingSettings.GREEDY).withStopTokens(Set.of((int) ';')));
        assertThat(result.text()).isEqualTo("ab");
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void stopsAtMaxTokensWithReasonLength() {
        GenerationResult result = scripted(bytes("abcdefgh")).generate(PROMPT, GenerationParameters.of(5, SamplingSettings.GREEDY));
        assertThat(result.text()).isEqualTo("abcde");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(result.completionTokens()).isEqualTo(5);
    }

    @Test
    void endsTheOutputBeforeAStopStringAndNeverStreamsAnyOfIt() {
        Recorder recorder = new Recorder();
        GenerationResult result = scripted(bytes("Hello END more")).generate(PROMPT,
                GenerationParameters.of(20, SamplingSettings.GREEDY).withStopStrings(List.of("ENDING", "END")), recorder, () -> false);
        assertThat(result.text()).isEqualTo("Hello ");
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(recorder.text()).isEqualTo("Hello ");
        assertThat(result.ids()).hasSize("Hello END".length()); // the tokens that made the stop string were generated
    }

    @Test
    void releasesHeldBackTextThatDoesNotBecomeAStopString() {
        Recorder recorder = new Recorder();
        GenerationResult result = scripted(bytes("Hello EN")).generate(PROMPT,
                GenerationParameters.of(8, SamplingSettings.GREEDY).withStopStrings(List.of("END")), recorder, () -> false);
        assertThat(result.text()).isEqualTo("Hello EN");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(recorder.pieces).endsWith("EN");
        assertThat(recorder.tokens).last().isEqualTo(TokenListener.NO_TOKEN);
        assertThat(recorder.text()).isEqualTo("Hello EN");
    }

    @Test
    void streamsMultiByteCharactersOnlyWhenComplete() {
        Recorder recorder = new Recorder();
        String text = "é😀 ok";
        GenerationResult result = scripted(bytes(text)).generate(PROMPT,
                GenerationParameters.of(bytes(text).length, SamplingSettings.GREEDY), recorder, () -> false);
        assertThat(result.text()).isEqualTo(text);
        assertThat(recorder.pieces).doesNotContain("\uFFFD").contains("é", "😀");
        assertThat(recorder.text()).isEqualTo(text);
    }

    @Test
    void checksTheCancellationFlagBeforeEveryStep() {
        AtomicInteger steps = new AtomicInteger();
        GenerationResult result = scripted(bytes("abcdefgh")).generate(PROMPT, GenerationParameters.of(8, SamplingSettings.GREEDY),
                (token, text, sample) -> steps.incrementAndGet(), () -> steps.get() >= 3);
        assertThat(result.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(result.text()).isEqualTo("abc");
    }

    @Test
    void endsWithLengthWhenTheContextIsFull() {
        ModelConfig small = withContext(DemoModel.config(), 6);
        GenerationResult result = new Generator(new ScriptedForward(small, PROMPT.length, ints(bytes("abcdefgh"))), TOKENIZER)
                .generate(PROMPT, GenerationParameters.of(100, SamplingSettings.GREEDY));
        assertThat(result.text()).isEqualTo("abc");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThatThrownBy(() -> new Generator(new ScriptedForward(small, 6, ints(bytes("a"))), TOKENIZER)
                .generate(new int[6], GenerationParameters.of(1, SamplingSettings.GREEDY)))
                .hasMessage("prompt of 6 tokens leaves no room in the context of 6");
    }

    @Test
    void demoModelGeneratesTheSameTokensForTheSameSeedAndReportsTimings() {
        Generator generator = new Generator(CpuForward.of(DemoModel.create(1)), TOKENIZER);
        int[] prompt = TOKENIZER.encode("Once upon a time");
        GenerationParameters parameters = GenerationParameters.of(12, SamplingSettings.withTemperature(0.8f, 99L));
        GenerationResult first = generator.generate(prompt, parameters);
        GenerationResult second = generator.generate(prompt, parameters);
        assertThat(second.ids()).isEqualTo(first.ids());
        assertThat(first.promptTokens()).isEqualTo(prompt.length);
        assertThat(first.prefillMillis()).isPositive();
        if (first.completionTokens() > 1) {
            assertThat(first.decodeTokensPerSecond()).isPositive();
        }
        GenerationResult greedy = generator.generate(prompt, GenerationParameters.of(12, SamplingSettings.GREEDY));
        assertThat(generator.generate(prompt, GenerationParameters.of(12, SamplingSettings.GREEDY)).ids()).isEqualTo(greedy.ids());
    }

    private static Generator scripted(byte[] script, int... more) {
        int[] tokens = java.util.stream.IntStream.concat(java.util.Arrays.stream(ints(script)), java.util.Arrays.stream(more)).toArray();
        return new Generator(new ScriptedForward(DemoModel.config(), PROMPT.length, tokens), TOKENIZER);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ModelConfig withContext(ModelConfig c, int context) {
        return new ModelConfig(c.architecture(), c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(), c.headDim(),
                c.vocabSize(), context, c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), c.ropeStyle(), c.tiedEmbeddings(),
                c.attentionBias(), c.bosToken(), c.eosTokens());
    }

    private static int[] ints(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xff;
        }
        return ints;
    }

    /** Logits that make greedy sampling produce a fixed script, whatever the input. */
    private record ScriptedForward(ModelConfig config, int promptLength, int[] script) implements Forward {

        @Override
        public String backend() {
            return "scripted";
        }

        @Override
        public KvCache newCache(int capacity) {
            return () -> capacity;
        }

        @Override
        public float[][] logitsAt(int[] tokens, int startPosition, KvCache cache, int[] rows) {
            float[][] out = new float[rows.length][config.vocabSize()];
            for (int i = 0; i < rows.length; i++) {
                int step = startPosition + rows[i] - promptLength + 1;
                out[i][script[Math.min(step, script.length - 1)]] = 10f;
            }
            return out;
        }
    }

    private static final class Recorder implements TokenListener {
        final List<Integer> tokens = new ArrayList<>();
        final List<String> pieces = new ArrayList<>();

        @Override
        public void onToken(int token, String text, ai.ensemble.engine.sampling.SampledToken sample) {
            tokens.add(token);
            pieces.add(text);
        }

        String text() {
            return String.join("", pieces);
        }
    }
}
