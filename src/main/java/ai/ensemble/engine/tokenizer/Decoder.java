package ai.ensemble.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's decoders: each turns the list of token strings into another list, and the
 * result is their concatenation. Only those Llama-family tokenizers use are here.
 */
@FunctionalInterface
interface Decoder {

    /** Without a decoder Hugging Face joins the tokens with spaces. */
    Decoder NONE = tokens -> List.of(String.join(" ", tokens));

    /** Concatenates the tokens, maps the GPT-2 alphabet back to bytes and reads them as UTF-8 (lossy). */
    Decoder BYTE_LEVEL = tokens -> {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) {
            bytes.writeBytes(ByteLevel.decode(token));
        }
        return List.of(bytes.toString(StandardCharsets.UTF_8));
    };

    /** Runs of {@code <0xNN>} tokens become the text their bytes spell, or one U+FFFD per byte if invalid UTF-8. */
    Decoder BYTE_FALLBACK = tokens -> {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteTokenValue(token);
            if (b >= 0) {
                pending.write(b);
                continue;
            }
            flushBytes(pending, out);
            out.add(token);
        }
        flushBytes(pending, out);
        return out;
    };

    Decoder FUSE = tokens -> List.of(String.join("", tokens));

    List<String> decode(List<String> tokens);

    static Decoder replace(String literal, String replacement) {
        return tokens -> tokens.stream().map(token -> token.replace(literal, replacement)).toList();
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters from every token. */
    static Decoder strip(char content, int start, int stop) {
        return tokens -> tokens.stream().map(token -> {
            int from = 0;
            while (from < start && from < token.length() && token.charAt(from) == content) {
                from++;
            }
            int to = token.length();
            while (token.length() - to < stop && to > from && token.charAt(to - 1) == content) {
                to--;
            }
            return token.substring(from, to);
        }).toList();
    }

    /** Replacement characters become spaces, except in the first token, where they are dropped unless the scheme is never. */
    static Decoder metaspace(char replacement, boolean dropInFirstToken) {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                out.add(i == 0 && dropInFirstToken ? token.replace(String.valueOf(replacement), "") : token.replace(replacement, ' '));
            }
            return out;
        };
    }

    static Decoder sequence(List<Decoder> steps) {
        return tokens -> {
            for (Decoder step : steps) {
                tokens = step.decode(tokens);
            }
            return tokens;
        };
    }

    /** Reads a {@code decoder} object of tokenizer.json; null means none. */
    static Decoder fromJson(Map<String, Object> json) {
        if (json == null) {
            return NONE;
        }
        String type = TokenizerJson.string(json, "type", "decoder");
        return switch (type) {
            case "Sequence" -> sequence(TokenizerJson.objects(json, "decoders", "decoder").stream().map(Decoder::fromJson).toList());
            case "ByteLevel" -> BYTE_LEVEL;
            case "ByteFallback" -> BYTE_FALLBACK;
            case "Fuse" -> FUSE;
            case "Replace" -> {
                Map<String, Object> pattern = TokenizerJson.object(json, "pattern", "decoder Replace");
                if (!(pattern.get("String") instanceof String literal)) {
                    throw new IllegalArgumentException("tokenizer.json: decoder Replace supports only String patterns");
                }
                yield replace(literal, TokenizerJson.string(json, "content", "decoder Replace"));
            }
            case "Strip" -> strip(TokenizerJson.string(json, "content", "decoder Strip").charAt(0),
                    TokenizerJson.integer(json, "start", "decoder Strip"), TokenizerJson.integer(json, "stop", "decoder Strip"));
            case "Metaspace" -> {
                String scheme = json.get("prepend_scheme") instanceof String s ? s
                        : Boolean.FALSE.equals(json.get("add_prefix_space")) ? "never" : "always";
                yield metaspace(TokenizerJson.string(json, "replacement", "decoder Metaspace").charAt(0), !"never".equals(scheme));
            }
            default -> throw new IllegalArgumentException("tokenizer.json: decoder type '" + type + "' is not supported");
        };
    }

    /** The byte a {@code <0xNN>} token stands for, or -1. */
    static int byteTokenValue(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(token.charAt(3), 16);
        int low = Character.digit(token.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private static void flushBytes(ByteArrayOutputStream pending, List<String> out) {
        if (pending.size() == 0) {
            return;
        }
        byte[] bytes = pending.toByteArray();
        pending.reset();
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            out.add(decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException invalid) {
            for (int i = 0; i < bytes.length; i++) {
                out.add("\uFFFD");
            }
        }
    }
}
