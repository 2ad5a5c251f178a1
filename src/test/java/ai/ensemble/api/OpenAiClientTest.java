package ai.ensemble.api;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.support.GatewayTest;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java client, unmodified, pointed at the gateway. */
class OpenAiClientTest extends GatewayTest {

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port + "/v1").apiKey(apiKey).maxRetries(0).build();
    }

    @Test
    void listsModels() {
        List<String> ids = client(DEMO_KEY).models().list().autoPager().stream().map(Model::id).toList();

        assertThat(ids).contains(ECHO_EXPERT, UPSTREAM_EXPERT);
    }

    @Test
    void createsChatCompletion() {
        UPSTREAM.resetAll();
        UpstreamStubs.answersParis(UPSTREAM);
        ChatCompletion completion = client(devToken("demo-app")).chat().completions().create(ChatCompletionCreateParams.builder()
                .model(UPSTREAM_EXPERT)
                .addSystemMessage("Be brief.")
                .addUserMessage("Capital of France?")
                .temperature(0.2)
                .build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().getFirst().message().content()).hasValue(UpstreamStubs.ANSWER);
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isEqualTo(17));
    }

    @Test
    void streamsChatCompletion() {
        List<String> pieces = new ArrayList<>();
        List<String> finishReasons = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client(DEMO_KEY).chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(ECHO_EXPERT).addUserMessage("one two three four").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().content().ifPresent(pieces::add);
                choice.finishReason().ifPresent(reason -> finishReasons.add(reason.asString()));
            }));
        }

        assertThat(String.join("", pieces)).isEqualTo("one two three four");
        assertThat(finishReasons).containsExactly("stop");
    }

    @Test
    void surfacesGatewayErrorsAsTypedExceptions() {
        assertThatThrownBy(() -> client(DEMO_KEY).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no-such-model");
    }
}
