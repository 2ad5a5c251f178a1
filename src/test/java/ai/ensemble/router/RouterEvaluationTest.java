package ai.ensemble.router;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code POST /admin/api/router/evaluate} agrees with what the router decides query by query. */
class RouterEvaluationTest extends RouterTestSupport {

    private static final List<String[]> LABELLED = List.of(
            new String[] {"How do I merge two branches in git?", "rt-code"},
            new String[] {"What does this regular expression match?", "rt-code"},
            new String[] {"How do I deep-copy an object in JavaScript?", "rt-code"},
            new String[] {"How long should I rest a steak after grilling?", "rt-cooking"},
            new String[] {"Can I freeze fresh basil?", "rt-cooking"},
            // Deliberately mislabelled, so that the report must show a miss.
            new String[] {"How do I make pancakes fluffy?", "rt-code"});

    @Test
    void reportsAccuracyMacroF1ConfusionMatrixAndFallbackRateMatchingTheDryRuns() {
        echoExpert("rt-code", CODE);
        echoExpert("rt-cooking", COOKING);
        StringBuilder body = new StringBuilder();
        Map<String, Map<String, Integer>> expected = new HashMap<>();
        int correct = 0;
        int fallbacks = 0;
        for (String[] line : LABELLED) {
            body.append(JSON.writeValueAsString(Map.of("text", line[0], "expert", line[1]))).append('\n');
            JsonNode decision = route(admin(), question(line[0]));
            String chosen = decision.get("expert").asString();
            expected.computeIfAbsent(line[1], k -> new HashMap<>()).merge(chosen, 1, Integer::sum);
            correct += chosen.equals(line[1]) ? 1 : 0;
            fallbacks += decision.get("fallback").asBoolean() ? 1 : 0;
        }

        HttpResponse<String> response = post("/admin/api/router/evaluate", admin(), "application/x-ndjson", body.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode router = json(response).get("router");
        assertThat(router.get("count").asInt()).isEqualTo(LABELLED.size());
        assertThat(router.get("accuracy").asDouble()).isCloseTo((double) correct / LABELLED.size(), within(0.0001)).isLessThan(1);
        assertThat(router.get("fallbackRate").asDouble()).isCloseTo((double) fallbacks / LABELLED.size(), within(0.0001));
        Map<String, Map<String, Integer>> matrix = JSON.convertValue(router.get("confusionMatrix"),
                new tools.jackson.core.type.TypeReference<Map<String, Map<String, Integer>>>() { });
        assertThat(matrix).isEqualTo(expected);
        List<Double> f1s = new ArrayList<>();
        router.get("perExpert").forEach(scores -> f1s.add(scores.get("f1").asDouble()));
        assertThat(router.get("macroF1").asDouble())
                .isCloseTo(f1s.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), within(0.001));
        assertThat(json(response).get("nearestExample").get("count").asInt()).isEqualTo(LABELLED.size());
    }

    @Test
    void aLabelThatIsNotAnExpertIsRefusedNamingTheLine() {
        echoExpert("rt-code", CODE);

        HttpResponse<String> response = post("/admin/api/router/evaluate", admin(), "application/x-ndjson", """
                {"text":"How do I merge in git?","expert":"rt-code"}
                {"text":"What is the capital of Peru?","expert":"rt-geography"}
                """);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("line 2.expert");
    }
}
