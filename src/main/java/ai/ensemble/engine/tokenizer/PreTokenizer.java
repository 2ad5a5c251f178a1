package ai.ensemble.engine.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into the pieces BPE works on. Byte-level tokenizers split the raw text
 * with their regex here; the model maps each piece's bytes to the GPT-2 alphabet afterwards (the
 * order matters: mapping first changes what {@code \s} and {@code \p{L}} see).
 */
@FunctionalInterface
interface PreTokenizer {

    /** Llama 3's pattern (tiktoken cl100k): numbers in groups of up to three digits. */
    String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2/2.5/3's pattern: Llama 3's with single digits. */
    String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** GPT-2's pattern, which Hugging Face's ByteLevel pre-tokenizer applies when {@code use_regex} is set. */
    String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    PreTokenizer NONE = (text, startOfInput, pieces) -> pieces.accept(text);

    /**
     * @param startOfInput whether {@code text} begins the encoded input (not after an added token),
     *                     which Metaspace's {@code prepend_scheme: first} asks about
     */
    void split(String text, boolean startOfInput, Consumer<String> pieces);

    /**
     * Compiles a Hugging Face (Oniguruma) pattern for {@code java.util.regex}: the two agree on
     * the constructs these tokenizers use once {@code \s}, {@code \w} and case folding follow
     * Unicode; Oniguruma's script names ({@code \p{Han}}) become Java's ({@code \p{IsHan}}).
     */
    static Pattern compile(String onigurumaPattern) {
        String java = onigurumaPattern.replaceAll("\\\\p\\{(?!Is)([A-Z][a-z]{2,}[A-Za-z_]*)}", "\\\\p{Is$1}");
        return Pattern.compile(java, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The fast scanner for a pattern it implements exactly (Llama 3's, Qwen 2's), else null. */
    static PreTokenizer regexScanner(String pattern) {
        return pattern.equals(LLAMA3_PATTERN) ? new LlamaPieceScanner(3)
                : pattern.equals(QWEN2_PATTERN) ? new LlamaPieceScanner(1) : null;
    }

    /** Hugging Face's Split with behavior Isolated: every match and every stretch between matches is a piece. */
    static PreTokenizer isolating(Pattern pattern) {
        return (text, startOfInput, pieces) -> {
            Matcher matcher = pattern.matcher(text);
            int last = 0;
            while (matcher.find()) {
                if (matcher.start() > last) {
                    pieces.accept(text.substring(last, matcher.start()));
                }
                if (matcher.end() > matcher.start()) {
                    pieces.accept(text.substring(matcher.start(), matcher.end()));
                }
                last = matcher.end();
            }
            if (last < text.length()) {
                pieces.accept(last == 0 ? text : text.substring(last));
            }
        };
    }

    /** Split with behavior Removed: the matches are dropped (Whitespace-style splitting). */
    static PreTokenizer removing(Pattern pattern) {
        return (text, startOfInput, pieces) -> {
            for (String piece : pattern.split(text, -1)) {
                if (!piece.isEmpty()) {
                    pieces.accept(piece);
                }
            }
        };
    }

    /** Hugging Face's ByteLevel pre-tokenizer, less the byte mapping that {@link BpeModel} does. */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        PreTokenizer regex = useRegex ? isolating(compile(GPT2_PATTERN)) : NONE;
        if (!addPrefixSpace) {
            return regex;
        }
        return (text, startOfInput, pieces) -> regex.split(text.startsWith(" ") ? text : " " + text, startOfInput, pieces);
    }

    /** Hugging Face's Metaspace: spaces become {@code replacement}, which also starts the text per the scheme. */
    static PreTokenizer metaspace(char replacement, String prependScheme, boolean split) {
        String marker = String.valueOf(replacement);
        return (text, startOfInput, pieces) -> {
            String replaced = text.replace(' ', replacement);
            boolean prepend = switch (prependScheme) {
                case "always" -> true;
                case "first" -> startOfInput;
                case "never" -> false;
                default -> throw new IllegalArgumentException("Metaspace prepend_scheme '" + prependScheme + "' is unknown");
            };
            if (prepend && !replaced.startsWith(marker)) {
                replaced = marker + replaced;
            }
            if (!split) {
                pieces.accept(replaced);
                return;
            }
            int start = 0;
            for (int i = 1; i < replaced.length(); i++) {
                if (replaced.charAt(i) == replacement) {
                    pieces.accept(replaced.substring(start, i));
                    start = i;
                }
            }
            if (start < replaced.length()) {
                pieces.accept(replaced.substring(start));
            }
        };
    }

    static PreTokenizer sequence(List<PreTokenizer> steps) {
        PreTokenizer chain = NONE;
        for (int i = steps.size() - 1; i >= 0; i--) {
            PreTokenizer step = steps.get(i);
            PreTokenizer rest = chain;
            chain = i == steps.size() - 1 ? step : (text, startOfInput, pieces) -> {
                boolean[] first = {startOfInput};
                step.split(text, startOfInput, piece -> {
                    rest.split(piece, first[0], pieces);
                    first[0] = false;
                });
            };
        }
        return chain;
    }

    /** Reads a {@code pre_tokenizer} object of tokenizer.json; null means none. */
    static PreTokenizer fromJson(Map<String, Object> json) {
        if (json == null) {
            return NONE;
        }
        String type = TokenizerJson.string(json, "type", "pre_tokenizer");
        return switch (type) {
            case "Sequence" -> sequence(TokenizerJson.objects(json, "pretokenizers", "pre_tokenizer").stream()
                    .map(PreTokenizer::fromJson).toList());
            case "Split" -> {
                if (Boolean.TRUE.equals(json.get("invert"))) {
                    throw new IllegalArgumentException("tokenizer.json: pre_tokenizer Split with invert=true is not supported");
                }
                Map<String, Object> pattern = TokenizerJson.object(json, "pattern", "pre_tokenizer Split");
                String behavior = TokenizerJson.string(json, "behavior", "pre_tokenizer Split");
                PreTokenizer scanner = pattern.get("Regex") instanceof String regex ? regexScanner(regex) : null;
                if (scanner != null && behavior.equals("Isolated")) {
                    yield scanner;
                }
                Pattern compiled = pattern.get("String") instanceof String literal
                        ? Pattern.compile(Pattern.quote(literal))
                        : compile(TokenizerJson.string(pattern, "Regex", "pre_tokenizer Split pattern"));
                yield switch (behavior) {
                    case "Isolated" -> isolating(compiled);
                    case "Removed" -> removing(compiled);
                    default -> throw new IllegalArgumentException(
                            "tokenizer.json: pre_tokenizer Split behavior '" + behavior + "' is not supported");
                };
            }
            case "ByteLevel" -> byteLevel(Boolean.TRUE.equals(json.get("add_prefix_space")),
                    !Boolean.FALSE.equals(json.get("use_regex")));
            case "Metaspace" -> {
                String replacement = TokenizerJson.string(json, "replacement", "pre_tokenizer Metaspace");
                String scheme = json.get("prepend_scheme") instanceof String s ? s
                        : Boolean.FALSE.equals(json.get("add_prefix_space")) ? "never" : "always";
                yield metaspace(replacement.charAt(0), scheme, !Boolean.FALSE.equals(json.get("split")));
            }
            default -> throw new IllegalArgumentException("tokenizer.json: pre_tokenizer type '" + type + "' is not supported");
        };
    }

    /** Whether a {@code pre_tokenizer} object contains a ByteLevel step, which makes the model byte-level. */
    static boolean containsByteLevel(Map<String, Object> json) {
        if (json == null) {
            return false;
        }
        if ("ByteLevel".equals(json.get("type"))) {
            return true;
        }
        return json.get("pretokenizers") instanceof List<?> steps
                && steps.stream().anyMatch(step -> step instanceof Map<?, ?> && containsByteLevel(TokenizerJson.cast(step)));
    }
}
