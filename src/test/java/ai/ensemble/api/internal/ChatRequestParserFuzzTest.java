package ai.ensemble.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import ai.ensemble.shared.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes the chat request parser for a fixed time (default 3 s; {@code -Dfuzz.seconds=600} for a long
 * run): random requests built from the fields OpenAI defines with values of random types, and byte-level
 * mutations of valid requests. Every input must either parse or be refused with a 4xx ApiException
 * naming a rule — no other exception may escape, and none may take long.
 */
class ChatRequestParserFuzzTest {

    private static final List<String> FIELDS = List.of("model", "messages", "stream", "stream_options", "n", "logprobs",
            "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed", "presence_penalty",
            "frequency_penalty", "user", "tools", "response_format", "metadata", "x_unknown");
    private static final List<String> VALID = List.of(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}],"
                    + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":16,\"temperature\":0.5,\"stop\":[\"x\",\"y\"],\"seed\":7}");

    private final ChatRequestParser parser = new ChatRequestParser(JsonMapper.builder().build());

    @Test
    void noInputMakesTheParserThrowAnythingButAClientError() {
        long budget = Long.getLong("fuzz.seconds", 3) * 1_000_000_000L;
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        long start = System.nanoTime();
        int inputs = 0;
        int accepted = 0;
        long slowest = 0;
        while (System.nanoTime() - start < budget) {
            byte[] input = random.nextInt(3) == 0
                    ? mutate(VALID.get(random.nextInt(VALID.size())).getBytes(StandardCharsets.UTF_8), random)
                    : request(random).getBytes(StandardCharsets.UTF_8);
            long began = System.nanoTime();
            try {
                parser.parse(input);
                accepted++;
            } catch (ApiException refused) {
                assertThat(refused.error().status().is4xxClientError()).as(refused.getMessage()).isTrue();
                assertThat(refused.getMessage()).isNotBlank();
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + seed + ": " + e + " escaped for input " + new String(input, StandardCharsets.UTF_8), e);
            }
            slowest = Math.max(slowest, System.nanoTime() - began);
            inputs++;
        }
        System.out.printf("chat parser fuzz: seed %d, %d inputs, %d accepted, slowest %.1f ms%n", seed, inputs, accepted, slowest / 1e6);
        assertThat(inputs).isPositive();
        assertThat(slowest).as("no input may take a second").isLessThan(1_000_000_000L);
    }

    private static String request(SplittableRandom random) {
        StringBuilder out = new StringBuilder("{");
        int fields = random.nextInt(8);
        boolean first = true;
        if (random.nextInt(4) != 0) {
            out.append("\"model\":").append(value(random, 0));
            first = false;
        }
        if (random.nextInt(4) != 0) {
            out.append(first ? "" : ",").append("\"messages\":").append(messages(random));
            first = false;
        }
        for (int i = 0; i < fields; i++) {
            out.append(first ? "" : ",").append('"').append(FIELDS.get(random.nextInt(FIELDS.size()))).append("\":").append(value(random, 0));
            first = false;
        }
        return out.append('}').toString();
    }

    private static String messages(SplittableRandom random) {
        if (random.nextInt(5) == 0) {
            return value(random, 0);
        }
        StringBuilder out = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",");
            if (random.nextInt(6) == 0) {
                out.append(value(random, 1));
            } else {
                out.append("{\"role\":").append(random.nextInt(3) == 0 ? value(random, 2)
                        : "\"" + List.of("user", "system", "assistant", "tool", "developer", "robot").get(random.nextInt(6)) + "\"");
                out.append(",\"content\":").append(random.nextInt(3) == 0 ? value(random, 2) : "\"text " + i + "\"").append('}');
            }
        }
        return out.append(']').toString();
    }

    private static String value(SplittableRandom random, int depth) {
        return switch (random.nextInt(depth > 3 ? 7 : 9)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextLong());
            case 3 -> List.of("0", "-1", "1e400", "-0.0", "2.5", "1E-400", "9223372036854775808", "3").get(random.nextInt(8));
            case 4 -> "\"" + List.of("", "m", "user", "\\u0000", "\\ud800", "x".repeat(300), "\\\"q\\\"").get(random.nextInt(7)) + "\"";
            case 5 -> Double.toString(random.nextDouble(-3, 3));
            case 6 -> "\"text\"";
            case 7 -> {
                StringBuilder array = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    array.append(i == 0 ? "" : ",").append(value(random, depth + 1));
                }
                yield array.append(']').toString();
            }
            default -> {
                StringBuilder object = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    object.append(i == 0 ? "" : ",").append("\"").append(List.of("type", "text", "include_usage", "a").get(random.nextInt(4)))
                            .append("\":").append(value(random, depth + 1));
                }
                yield object.append('}').toString();
            }
        };
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] out = valid.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(3)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter.length == 0 ? out : shorter;
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
}
