package ai.ensemble.engine.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Hugging Face's normalizers that Llama-family tokenizers use, applied to the text between added tokens. */
@FunctionalInterface
interface Normalizer {

    Normalizer NONE = text -> text;

    String normalize(String text);

    static Normalizer prepend(String prefix) {
        return text -> text.isEmpty() ? text : prefix + text;
    }

    static Normalizer replace(String literal, String replacement) {
        return text -> text.replace(literal, replacement);
    }

    static Normalizer unicode(java.text.Normalizer.Form form) {
        return text -> isAscii(text) ? text : java.text.Normalizer.normalize(text, form);
    }

    static Normalizer sequence(List<Normalizer> steps) {
        return text -> {
            for (Normalizer step : steps) {
                text = step.normalize(text);
            }
            return text;
        };
    }

    /** Reads a {@code normalizer} object of tokenizer.json; null means none. */
    static Normalizer fromJson(Map<String, Object> json) {
        if (json == null) {
            return NONE;
        }
        String type = TokenizerJson.string(json, "type", "normalizer");
        return switch (type) {
            case "Sequence" -> sequence(TokenizerJson.objects(json, "normalizers", "normalizer").stream()
                    .map(Normalizer::fromJson).toList());
            case "NFC" -> unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
            case "Prepend" -> prepend(TokenizerJson.string(json, "prepend", "normalizer Prepend"));
            case "Replace" -> {
                Map<String, Object> pattern = TokenizerJson.object(json, "pattern", "normalizer Replace");
                String content = TokenizerJson.string(json, "content", "normalizer Replace");
                if (pattern.get("String") instanceof String literal) {
                    yield replace(literal, content);
                }
                Pattern regex = PreTokenizer.compile(TokenizerJson.string(pattern, "Regex", "normalizer Replace pattern"));
                String quoted = java.util.regex.Matcher.quoteReplacement(content);
                yield text -> regex.matcher(text).replaceAll(quoted);
            }
            case "Strip" -> {
                boolean left = Boolean.TRUE.equals(json.get("strip_left"));
                boolean right = Boolean.TRUE.equals(json.get("strip_right"));
                yield text -> left && right ? text.strip() : left ? text.stripLeading() : right ? text.stripTrailing() : text;
            }
            default -> throw new IllegalArgumentException("tokenizer.json: normalizer type '" + type + "' is not supported");
        };
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
