package ai.ensemble.engine.tokenizer;

import ai.ensemble.engine.model.LoadedModel;

import java.nio.file.Path;
import java.util.Map;

/** Where tokenizers come from: a Hugging Face tokenizer.json or a GGUF file's metadata. */
public final class Tokenizers {

    private Tokenizers() {
    }

    public static Tokenizer load(LoadedModel.TokenizerSource source) {
        if (source.ggufMetadata() != null) {
            return fromGguf(source.ggufMetadata());
        }
        if (source.tokenizerJson() == null) {
            throw new IllegalArgumentException("tokenizer source has neither a tokenizer.json path nor GGUF metadata");
        }
        return fromJson(source.tokenizerJson(), source.tokenizerConfigJson());
    }

    /**
     * @param tokenizerConfigJsonOrNull tokenizer_config.json, for the BOS/EOS names and the chat
     *                                  template; BOS is added as tokenizer.json's post-processor says
     */
    public static Tokenizer fromJson(Path tokenizerJson, Path tokenizerConfigJsonOrNull) {
        return TokenizerJson.load(tokenizerJson, tokenizerConfigJsonOrNull);
    }

    public static Tokenizer fromGguf(Map<String, Object> metadata) {
        return GgufTokenizer.load(metadata);
    }
}
