package ai.ensemble.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Hugging Face's tokenization pipeline: added tokens are split out of the raw text, the rest is
 * normalized, pre-tokenized and byte-pair encoded; a template adds BOS/EOS. Built from
 * tokenizer.json ({@link TokenizerJson}) or GGUF metadata ({@link GgufTokenizer}).
 */
final class PipelineTokenizer implements Tokenizer {

    private static final char SENTENCEPIECE_SPACE = '\u2581';

    private final BpeModel model;
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final TokenMatcher rawMatcher;        // added tokens with normalized=false, matched in the raw text
    private final TokenMatcher normalizedMatcher; // the others, matched in the normalized text
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Decoder decoder;
    private final int[] prefix;
    private final int[] suffix;
    private final OptionalInt bos;
    private final Set<Integer> eos;
    private final String chatTemplate;
    private final int vocabularySize;

    PipelineTokenizer(BpeModel model, List<AddedToken> addedTokens, Normalizer normalizer, PreTokenizer preTokenizer,
                      Decoder decoder, int[] prefix, int[] suffix, OptionalInt bos, Set<Integer> eos, String chatTemplate) {
        this.model = model;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.decoder = decoder;
        this.prefix = prefix;
        this.suffix = suffix;
        this.bos = bos;
        this.eos = Set.copyOf(eos);
        this.chatTemplate = chatTemplate;
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        int size = model.vocabulary().size();
        for (AddedToken token : addedTokens) {
            addedById.put(token.id(), token);
            addedByContent.putIfAbsent(token.content(), token);
            (token.normalized() ? normalized : raw).add(token);
            size = Math.max(size, token.id() + 1);
        }
        this.vocabularySize = size;
        rawMatcher = new TokenMatcher(raw, raw.stream().map(AddedToken::content).toList());
        normalizedMatcher = new TokenMatcher(normalized, normalized.stream().map(t -> normalizer.normalize(t.content())).toList());
    }

    BpeModel model() {
        return model;
    }

    @Override
    public int[] encode(String text) {
        IntList ids = new IntList(text.length() / 3 + 4);
        encodeInto(text, ids);
        return ids.toArray();
    }

    @Override
    public int[] encodeWithSpecial(String text) {
        IntList ids = new IntList(text.length() / 3 + prefix.length + suffix.length + 4);
        ids.addAll(prefix);
        encodeInto(text, ids);
        ids.addAll(suffix);
        return ids.toArray();
    }

    /** Added tokens out of the raw text, then of the normalized text, then pre-tokenize and merge the rest. */
    private void encodeInto(String text, IntList ids) {
        rawMatcher.split(text, new TokenMatcher.Sink() {
            @Override
            public void text(String segment, int offset) {
                normalizedMatcher.split(normalizer.normalize(segment), new TokenMatcher.Sink() {
                    @Override
                    public void text(String inner, int innerOffset) {
                        preTokenizer.split(inner, offset + innerOffset == 0, piece -> model.encode(piece, ids));
                    }

                    @Override
                    public void token(AddedToken token) {
                        ids.add(token.id());
                    }
                });
            }

            @Override
            public void token(AddedToken token) {
                ids.add(token.id());
            }
        });
    }

    @Override
    public String decode(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            tokenText(id).ifPresent(tokens::add);
        }
        return String.join("", decoder.decode(tokens));
    }

    @Override
    public byte[] tokenBytes(int id) {
        AddedToken added = addedById.get(id);
        String token = added != null ? added.content() : model.vocabulary().token(id);
        if (token == null) {
            return new byte[0];
        }
        if (added != null) {
            return token.getBytes(StandardCharsets.UTF_8);
        }
        if (model.byteLevel()) {
            return ByteLevel.decode(token);
        }
        int b = Decoder.byteTokenValue(token);
        if (b >= 0) {
            return new byte[] {(byte) b};
        }
        return token.replace(SENTENCEPIECE_SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    @Override
    public OptionalInt tokenId(String token) {
        AddedToken added = addedByContent.get(token);
        if (added != null) {
            return OptionalInt.of(added.id());
        }
        int id = model.vocabulary().id(token);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public Optional<String> tokenText(int id) {
        AddedToken added = addedById.get(id);
        return Optional.ofNullable(added != null ? added.content() : model.vocabulary().token(id));
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos;
    }

    @Override
    public Set<Integer> eosTokenIds() {
        return eos;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }
}
