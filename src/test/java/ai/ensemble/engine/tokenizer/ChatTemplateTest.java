package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompts equal, character for character, what the official Jinja templates render (expected
 * strings produced with jinja2 as transformers runs it: trim_blocks, lstrip_blocks,
 * add_generation_prompt=True) for three 3-message conversations.
 */
class ChatTemplateTest {

    /** System, user, assistant: the system turn's placement and an assistant turn last. */
    static final List<Message> WITH_SYSTEM = List.of(Message.system("You are a helpful assistant."),
            Message.user("What is the capital of France?"), Message.assistant("The capital of France is Paris."));
    /** User, assistant, user, with whitespace that some templates trim and others keep. */
    static final List<Message> FOLLOW_UP = List.of(Message.user(" Hi there! "), Message.assistant("Hello! How can I help?\n"),
            Message.user("Tell me a joke."));
    /** An earlier assistant turn with reasoning, which Qwen 3 drops. */
    static final List<Message> WITH_REASONING = List.of(Message.user("2+2?"), Message.assistant("<think>\nadd them\n</think>\n\n4"),
            Message.user("3+3?"));

    private static final LocalDate RELEASE_DAY = LocalDate.of(2024, 7, 26);

    @Test
    void rendersLlama3LikeItsTemplate() {
        ChatTemplate template = detect(TokenizerFixtures.tokenizer("llama3"));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nThe capital of France is Paris.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(WITH_SYSTEM, true));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(FOLLOW_UP, true));
    }

    @Test
    void rendersLlama32WithItsDatedSystemHeader() {
        ChatTemplate template = ChatTemplates.detect(OfficialChatTemplates.LLAMA_3_2, tinyTokenizer("<|begin_of_text|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"), RELEASE_DAY);
        String header = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";
        assertEquals(header + "You are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nThe capital of France is Paris.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(WITH_SYSTEM, true));
        assertEquals(header + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", template.render(FOLLOW_UP, true));
        assertTrue(ChatTemplates.detect(OfficialChatTemplates.LLAMA_3_2, tinyTokenizer("<|begin_of_text|>"), LocalDate.of(2025, 3, 5))
                .render(FOLLOW_UP, true).contains("Today Date: 05 Mar 2025\n\n"));
    }

    @Test
    void rendersQwen3LikeItsTemplate() {
        ChatTemplate template = detect(TokenizerFixtures.tokenizer("qwen3"));
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is the capital of France?"
                + "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nThe capital of France is Paris.<|im_end|>\n"
                + "<|im_start|>assistant\n", template.render(WITH_SYSTEM, true));
        assertEquals("<|im_start|>user\n Hi there! <|im_end|>\n<|im_start|>assistant\nHello! How can I help?\n<|im_end|>\n"
                + "<|im_start|>user\nTell me a joke.<|im_end|>\n<|im_start|>assistant\n", template.render(FOLLOW_UP, true));
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\n3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n", template.render(WITH_REASONING, true));
    }

    @Test
    void rendersQwen25WithItsDefaultSystemPrompt() {
        ChatTemplate template = ChatTemplates.detect(OfficialChatTemplates.QWEN_2_5, tinyTokenizer(null, "<|im_start|>", "<|im_end|>"),
                RELEASE_DAY);
        String qwenSystem = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is the capital of France?"
                + "<|im_end|>\n<|im_start|>assistant\nThe capital of France is Paris.<|im_end|>\n<|im_start|>assistant\n",
                template.render(WITH_SYSTEM, true));
        assertEquals(qwenSystem + "<|im_start|>user\n Hi there! <|im_end|>\n<|im_start|>assistant\nHello! How can I help?\n"
                + "<|im_end|>\n<|im_start|>user\nTell me a joke.<|im_end|>\n<|im_start|>assistant\n", template.render(FOLLOW_UP, true));
        assertEquals(qwenSystem + "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nadd them\n</think>\n\n4"
                + "<|im_end|>\n<|im_start|>user\n3+3?<|im_end|>\n<|im_start|>assistant\n", template.render(WITH_REASONING, true));
    }

    @Test
    void groupsToolResultsIntoOneUserTurnForQwen() {
        ChatTemplate template = ChatTemplates.detect(OfficialChatTemplates.QWEN_2_5, tinyTokenizer(null, "<|im_start|>"), RELEASE_DAY);
        List<Message> messages = List.of(Message.system("S"), Message.user("Weather?"), Message.assistant("Calling."),
                new Message("tool", "{\"t\":20}"), new Message("tool", "{\"t\":21}"));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\nCalling.<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n{\"t\":20}\n</tool_response>\n<tool_response>\n{\"t\":21}\n</tool_response>"
                + "<|im_end|>\n<|im_start|>assistant\n", template.render(messages, true));
    }

    @Test
    void rendersMistralWithTheSystemMessageInTheFirstUserTurn() {
        ChatTemplate fromVocabulary = detect(TokenizerFixtures.tokenizer("llama2")); // a Mistral vocabulary with no template
        ChatTemplate fromTemplate = ChatTemplates.detect(OfficialChatTemplates.MISTRAL_V0_1, tinyTokenizer("<s>", "</s>"), RELEASE_DAY);
        for (ChatTemplate template : List.of(fromVocabulary, fromTemplate)) {
            assertEquals("<s> [INST] You are a helpful assistant.\n\nWhat is the capital of France? [/INST]"
                    + " The capital of France is Paris.</s>", template.render(WITH_SYSTEM, true));
            assertEquals("<s> [INST]  Hi there!  [/INST] Hello! How can I help?\n</s> [INST] Tell me a joke. [/INST]",
                    template.render(FOLLOW_UP, true));
            assertEquals("<s> [INST] 2+2? [/INST] <think>\nadd them\n</think>\n\n4</s> [INST] 3+3? [/INST]",
                    template.render(WITH_REASONING, true));
        }
    }

    @Test
    void rendersLlama2ChatWithItsSysBlock() {
        ChatTemplate template = ChatTemplates.detect(OfficialChatTemplates.LLAMA_2_CHAT, tinyTokenizer("<s>", "</s>"), RELEASE_DAY);
        assertEquals("<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST]"
                + " The capital of France is Paris. </s>", template.render(WITH_SYSTEM, true));
        assertEquals("<s>[INST] Hi there! [/INST] Hello! How can I help? </s><s>[INST] Tell me a joke. [/INST]",
                template.render(FOLLOW_UP, true));
        assertEquals("<s>[INST] 2+2? [/INST] <think>\nadd them\n</think>\n\n4 </s><s>[INST] 3+3? [/INST]",
                template.render(WITH_REASONING, true));
    }

    @Test
    void rejectsTurnsThatDoNotAlternateInTheInstFormat() {
        ChatTemplate template = ChatTemplates.detect(OfficialChatTemplates.MISTRAL_V0_1, tinyTokenizer("<s>", "</s>"), RELEASE_DAY);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> template.render(List.of(Message.user("a"), Message.user("b")), true));
        assertTrue(error.getMessage().contains("messages[1]"), error.getMessage());
    }

    @Test
    void renderedPromptsEncodeTheirMarkersAsSingleTokens() {
        Tokenizer llama3 = TokenizerFixtures.tokenizer("llama3");
        int[] ids = llama3.encode(detect(llama3).render(FOLLOW_UP, true));
        assertEquals(128000, ids[0]); // <|begin_of_text|>
        assertEquals(128006, ids[1]); // <|start_header_id|>
        assertEquals(128007, ids[ids.length - 2]); // <|end_header_id|>, then "\n\n"
        assertTrue(llama3.eosTokenIds().contains(128009), "<|eot_id|> ends a turn");

        Tokenizer qwen3 = TokenizerFixtures.tokenizer("qwen3");
        int[] qwenIds = qwen3.encode(detect(qwen3).render(FOLLOW_UP, true));
        assertEquals(151644, qwenIds[0]); // <|im_start|>
        assertTrue(qwen3.eosTokenIds().contains(151645), "<|im_end|> ends a turn");
    }

    private static ChatTemplate detect(Tokenizer tokenizer) {
        return ChatTemplate.forTokenizer(tokenizer, RELEASE_DAY);
    }

    /** A byte-level tokenizer with no merges whose first named token (if not null) is BOS; no files needed. */
    static Tokenizer tinyTokenizer(String bos, String... specials) {
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
            types.add(1);
        }
        Map<String, Object> metadata = new HashMap<>();
        if (bos != null) {
            metadata.put("tokenizer.ggml.bos_token_id", (long) tokens.size());
            tokens.add(bos);
            types.add(3);
        }
        for (String special : specials) {
            tokens.add(special);
            types.add(3);
        }
        metadata.put("tokenizer.ggml.model", "gpt2");
        metadata.put("tokenizer.ggml.pre", "llama-bpe");
        metadata.put("tokenizer.ggml.tokens", tokens);
        metadata.put("tokenizer.ggml.token_type", types);
        metadata.put("tokenizer.ggml.merges", List.of());
        metadata.put("tokenizer.ggml.add_bos_token", false);
        return Tokenizers.fromGguf(metadata);
    }
}
