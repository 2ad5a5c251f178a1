package ai.ensemble.engine.demo;

import java.nio.charset.StandardCharsets;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.tensor.ArrayFloatTensor;
import ai.ensemble.engine.tensor.TensorType;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoModelTest {

    @Test
    void sameSeedGivesTheSameWeightsAndLogits() {
        LoadedModel first = DemoModel.create(5);
        LoadedModel again = DemoModel.create(5);
        LoadedModel other = DemoModel.create(6);
        float[] a = ((ArrayFloatTensor) first.weights().layers().get(2).wDown()).values();
        assertThat(((ArrayFloatTensor) again.weights().layers().get(2).wDown()).values()).isEqualTo(a);
        assertThat(((ArrayFloatTensor) other.weights().layers().get(2).wDown()).values()).isNotEqualTo(a);
        CpuForward forward = CpuForward.of(first);
        int[] prompt = {DemoVocabulary.BEGIN_OF_TEXT, 'a', 'b'};
        assertThat(forward.prefill(prompt, 0, forward.newCache(3)))
                .isEqualTo(CpuForward.of(again).prefill(prompt, 0, forward.newCache(3)));
    }

    @Test
    void vocabularyIsTheUtf8BytesThenLlama3SpecialTokens() {
        Tokenizer tokenizer = Tokenizers.load(DemoModel.create(1).tokenizer());
        String text = "héllo, wörld 😀\n  x";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = tokenizer.encode(text);
        assertThat(ids).hasSize(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            assertThat(ids[i]).isEqualTo(bytes[i] & 0xff);
        }
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
        assertThat(tokenizer.encode("<|eot_id|>")).containsExactly(DemoVocabulary.END_OF_TURN);
        assertThat(tokenizer.encodeWithSpecial("a")).containsExactly(DemoVocabulary.BEGIN_OF_TEXT, 'a');
        assertThat(tokenizer.vocabularySize()).isEqualTo(DemoModel.config().vocabSize());
    }

    @Test
    void randomWeightsComeInBf16AndQ8_0Too() {
        var config = DemoModel.config();
        var bf16 = RandomWeights.create(config, TensorType.BF16, 3, 0.1f);
        var q8 = RandomWeights.create(config, TensorType.Q8_0, 3, 0.1f);
        assertThat(bf16.layers().getFirst().wq().type()).isEqualTo(TensorType.BF16);
        assertThat(q8.layers().getFirst().wq().type()).isEqualTo(TensorType.Q8_0);
        assertThat(Math.abs(q8.layers().getFirst().wq().getFloat(123))).isLessThanOrEqualTo(0.1f + 1e-3f);
        int[] prompt = {DemoVocabulary.BEGIN_OF_TEXT, 'h'};
        for (var weights : java.util.List.of(bf16, q8)) {
            CpuForward forward = new CpuForward(config, weights);
            float[] logits = forward.prefill(prompt, 0, forward.newCache(2));
            assertThat(logits).hasSize(config.vocabSize());
            for (float logit : logits) {
                assertThat(Float.isFinite(logit)).isTrue();
            }
        }
    }
}
