package ai.ensemble.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generates hostile chat request bodies for property tests: valid OpenAI shapes with fields of the
 * wrong type, numbers out of every range (huge, tiny, NaN, Infinity), long strings, odd Unicode
 * (lone surrogates escaped in JSON, NUL, right-to-left overrides), deep nesting, thousands of
 * messages, byte-level mutations of valid requests, and raw random bytes.
 */
public final class HostileJson {

    private static final List<String> FIELDS = List.of("model", "messages", "stream", "stream_options", "n", "logprobs",
            "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed", "presence_penalty",
            "frequency_penalty", "user", "kbs", "tools", "tool_choice", "functions", "response_format", "metadata", "x_unknown");
    private static final List<String> ROLES = List.of("user", "system", "assistant", "tool", "developer", "robot", "", "USER");
    private static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "2", "0.5", "1.0", "1e2", "-1e-9", "2147483647",
            "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "1e309",
            "-1e309", "4.9e-324", "1e-400", "1e999999999", "NaN", "Infinity", "-Infinity", "01", "0x10", "1.", ".5", "+1", "1e",
            "1" + "0".repeat(400), "0." + "0".repeat(400) + "1");
    /** Strings that are valid JSON but odd text: escaped lone surrogates and NUL, invisible and right-to-left characters. */
    private static final List<String> ODD_TEXTS = List.of("", " ", "auto", "\\u0000", "\\ud800", "\\udfff", "\\udc00\\ud800",
            "a\\ud800b", "\\ud83d\\ude00", "😀", "\u202eevil", "\\u202e", "\u0301", "\\\"", "\\\\", "\\n\\r\\t", "\\/",
            "İı", "𝔘𝔫𝔦", "\u200b\u200d\ufeff", "\\u200d\\ufeff", "\\u0000\\t", "${jndi:ldap://x}", "<script>", "'; drop table x; --");
    /** Strings that make the whole body invalid JSON (bad escapes, raw control characters). */
    private static final List<String> INVALID_TEXTS = List.of("\\x41", "\u0007", "\\uZZZZ", "\\");
    private static final List<String> ODD_STRINGS = Stream.concat(ODD_TEXTS.stream(), INVALID_TEXTS.stream()).toList();

    private final List<String> models;
    private final List<String> knowledgeBases;

    /** Requests naming these models where they name a valid one (the rest get odd or wrong values). */
    public HostileJson(List<String> models) {
        this(models, List.of());
    }

    /** As above, some of them grounded in these knowledge bases ({@code kbs}). */
    public HostileJson(List<String> models, List<String> knowledgeBases) {
        this.models = List.copyOf(models);
        this.knowledgeBases = List.copyOf(knowledgeBases);
    }

    /** A body of any kind: mostly structured requests, some mutated bytes, some raw bytes. */
    public byte[] body(SplittableRandom random) {
        return switch (random.nextInt(10)) {
            case 0 -> rawBytes(random);
            case 1, 2 -> mutate(request(random).getBytes(StandardCharsets.UTF_8), random);
            case 3 -> deeplyNested(random).getBytes(StandardCharsets.UTF_8);
            case 4, 5, 6 -> plausible(random).getBytes(StandardCharsets.UTF_8);
            default -> request(random).getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * A request that is valid JSON of the right shape, so that it reaches routing, experts and
     * retrieval: odd text in the messages, parameters at and beyond their limits, and now and then
     * one field of the wrong type.
     */
    public String plausible(SplittableRandom random) {
        StringBuilder out = new StringBuilder("{");
        if (random.nextInt(4) != 0) {
            out.append("\"model\":").append(quoted(models.get(random.nextInt(models.size())))).append(',');
        }
        out.append("\"messages\":[");
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String role = i == count - 1 && random.nextBoolean() ? "user" : List.of("system", "user", "assistant", "tool", "developer")
                    .get(random.nextInt(5));
            String text = switch (random.nextInt(4)) {
                case 0 -> ODD_TEXTS.get(random.nextInt(ODD_TEXTS.size()));
                case 1 -> "x".repeat(1 + random.nextInt(random.nextBoolean() ? 100 : 20_000));
                default -> "say " + ODD_TEXTS.get(random.nextInt(ODD_TEXTS.size())) + " back";
            };
            String content = random.nextInt(4) == 0 ? "[{\"type\":\"text\",\"text\":" + quoted(text) + "}]" : quoted(text);
            out.append(i == 0 ? "" : ",").append("{\"role\":").append(quoted(role)).append(",\"content\":").append(content).append('}');
        }
        out.append(']');
        if (!knowledgeBases.isEmpty() && random.nextInt(3) == 0) {
            out.append(",\"kbs\":[").append(quoted(knowledgeBases.get(random.nextInt(knowledgeBases.size())))).append(']');
        }
        List<String> parameters = List.of("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}",
                "\"max_tokens\":1", "\"max_tokens\":2147483647", "\"max_completion_tokens\":16", "\"temperature\":0",
                "\"temperature\":2", "\"top_p\":1", "\"stop\":[\"\",\"x\",\"\\u0000\",\"😀\"]", "\"stop\":\"\\ud800\"",
                "\"seed\":-9223372036854775808", "\"presence_penalty\":-2", "\"frequency_penalty\":2", "\"user\":\"\\u202e\"",
                "\"metadata\":{\"k\":[1,{\"a\":null}]}", "\"response_format\":{\"type\":\"text\"}", "\"n\":1",
                "\"logprobs\":false", "\"x_unknown\":" + "[".repeat(60) + "]".repeat(60));
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            out.append(',').append(parameters.get(random.nextInt(parameters.size())));
        }
        if (random.nextInt(5) == 0) {
            out.append(',').append(quoted(FIELDS.get(random.nextInt(FIELDS.size())))).append(':').append(value(random, 0));
        }
        return out.append('}').toString();
    }

    /** A JSON object with a chat request's fields, each valid or mutated. */
    public String request(SplittableRandom random) {
        StringBuilder out = new StringBuilder("{");
        String separator = "";
        if (random.nextInt(5) != 0) {
            out.append("\"model\":").append(random.nextInt(4) == 0 ? value(random, 0) : quoted(models.get(random.nextInt(models.size()))));
            separator = ",";
        }
        if (random.nextInt(6) != 0) {
            out.append(separator).append("\"messages\":").append(messages(random));
            separator = ",";
        }
        if (!knowledgeBases.isEmpty() && random.nextInt(3) == 0) {
            out.append(separator).append("\"kbs\":[").append(quoted(knowledgeBases.get(random.nextInt(knowledgeBases.size())))).append(']');
            separator = ",";
        }
        int extra = random.nextInt(5);
        for (int i = 0; i < extra; i++) {
            out.append(separator).append(quoted(FIELDS.get(random.nextInt(FIELDS.size())))).append(':').append(value(random, 0));
            separator = ",";
        }
        return out.append('}').toString();
    }

    private String messages(SplittableRandom random) {
        int shape = random.nextInt(12);
        if (shape == 0) {
            return value(random, 1);
        }
        int count = shape == 1 ? 2000 + random.nextInt(200) : 1 + random.nextInt(4);
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",");
            if (random.nextInt(10) == 0) {
                out.append(value(random, 1));
                continue;
            }
            out.append("{\"role\":").append(random.nextInt(6) == 0 ? value(random, 2) : quoted(ROLES.get(random.nextInt(ROLES.size()))));
            out.append(",\"content\":").append(count > 4 ? "\"m" + i + "\"" : switch (random.nextInt(6)) {
                case 0 -> value(random, 2);
                case 1 -> "[{\"type\":\"text\",\"text\":" + text(random) + "},{\"type\":" + value(random, 3) + ",\"text\":\"b\"}]";
                case 2 -> "[{\"type\":\"text\",\"text\":" + text(random) + "}]";
                default -> text(random);
            });
            if (random.nextInt(8) == 0) {
                out.append(",\"name\":").append(value(random, 2));
            }
            out.append('}');
        }
        return out.append(']').toString();
    }

    private static String text(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> quoted(ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())));
            case 1 -> quoted("x".repeat(1 + random.nextInt(random.nextBoolean() ? 100 : 70_000)));
            default -> quoted("say " + ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())) + " back");
        };
    }

    /** Any JSON value, nested at most a few levels below {@code depth}. */
    private static String value(SplittableRandom random, int depth) {
        return switch (random.nextInt(depth > 3 ? 5 : 7)) {
            case 0 -> List.of("null", "true", "false").get(random.nextInt(3));
            case 1, 2 -> NUMBERS.get(random.nextInt(NUMBERS.size()));
            case 3 -> Long.toString(random.nextLong());
            case 4 -> text(random);
            case 5 -> {
                StringBuilder array = new StringBuilder("[");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    array.append(i == 0 ? "" : ",").append(value(random, depth + 1));
                }
                yield array.append(']').toString();
            }
            default -> {
                StringBuilder object = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    object.append(i == 0 ? "" : ",").append(quoted(List.of("type", "text", "include_usage", "role", "content", "")
                            .get(random.nextInt(6)))).append(':').append(value(random, depth + 1));
                }
                yield object.append('}').toString();
            }
        };
    }

    /** Arrays or objects nested around the depth where parsers set their limits, or far past it. */
    private String deeplyNested(SplittableRandom random) {
        int depth = List.of(400, 499, 500, 501, 1001, 20_000).get(random.nextInt(6));
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + "1" + close.repeat(random.nextInt(5) == 0 ? depth / 2 : depth);
        String field = List.of("messages", "metadata", "stop", "x_unknown").get(random.nextInt(4));
        String messages = field.equals("messages") ? "" : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],";
        return "{\"model\":" + quoted(models.get(0)) + "," + messages + quoted(field) + ":" + nested + "}";
    }

    private static byte[] rawBytes(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(random.nextBoolean() ? 16 : 4096)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = '{';
        }
        return bytes;
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] out = valid;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(4)) {
                case 0 -> {
                    out = out.clone();
                    out[at] = (byte) random.nextInt(256);
                }
                case 1 -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter;
                }
                case 2 -> {
                    byte[] truncated = new byte[at];
                    System.arraycopy(out, 0, truncated, 0, at);
                    out = truncated;
                }
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) "{}[],:\"\\0123456789eE-+.ntfu".charAt(random.nextInt(27));
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }
}
