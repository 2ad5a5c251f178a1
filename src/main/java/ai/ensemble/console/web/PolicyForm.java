package ai.ensemble.console.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.policy.PolicyAdministration;
import ai.ensemble.policy.PolicyDefinition;
import ai.ensemble.shared.ApiError;
import org.springframework.util.MultiValueMap;

/**
 * The policy form's fields as the browser sends and shows them: lists as comma-separated text,
 * numbers as text (so that a bad value is shown back as typed), denied topics as rows with their
 * examples one per line. {@link #draft()} turns it into the policy module's draft.
 */
record PolicyForm(String id, String description, boolean enabled, String roles, String apps, String experts,
                  List<String> stages, List<String> detectors, Map<String, String> actions, String defaultAction,
                  String minScore, String maxPromptTokens, String maxOutputTokens, List<TopicRow> topics) {

    /** One denied topic; {@code examples} one per line. */
    record TopicRow(String name, String description, String examples) {
        public boolean blank() {
            return name.isBlank() && description.isBlank() && examples.isBlank();
        }
    }

    /** The entity types a per-type action can name, lower case as the policy API writes them. */
    static List<String> entityTypes() {
        return Arrays.stream(EntityType.values()).map(type -> type.name().toLowerCase(Locale.ROOT)).toList();
    }

    static PolicyForm blank() {
        return new PolicyForm("", "", true, "", "", "", List.of("input"), List.of(), Map.of(), "redact", "0.5", "", "",
                List.of(new TopicRow("", "", "")));
    }

    static PolicyForm of(PolicyDefinition policy) {
        Map<String, String> actions = new LinkedHashMap<>();
        policy.actions().forEach((type, action) -> actions.put(type.name().toLowerCase(Locale.ROOT), action.name().toLowerCase(Locale.ROOT)));
        List<TopicRow> topics = new ArrayList<>();
        for (PolicyDefinition.Topic topic : policy.topics()) {
            topics.add(new TopicRow(topic.name(), topic.description(), String.join("\n", topic.examples())));
        }
        topics.add(new TopicRow("", "", ""));
        return new PolicyForm(policy.id(), policy.description(), policy.enabled(), String.join(", ", policy.roles()),
                String.join(", ", policy.apps()), String.join(", ", policy.experts()),
                policy.stages().stream().map(stage -> stage.name().toLowerCase(Locale.ROOT)).sorted().toList(), policy.detectors(),
                actions, policy.defaultAction().name().toLowerCase(Locale.ROOT), String.valueOf(policy.minScore()),
                text(policy.maxPromptTokens()), text(policy.maxOutputTokens()), topics);
    }

    /** The submitted form; {@code id} from the path when editing. Repeated fields keep their order. */
    static PolicyForm from(MultiValueMap<String, String> form, String id) {
        Map<String, String> actions = new LinkedHashMap<>();
        form.forEach((name, values) -> {
            if (name.startsWith("action.") && !values.isEmpty() && !values.getFirst().isBlank()) {
                actions.put(name.substring("action.".length()), values.getFirst());
            }
        });
        List<String> names = all(form, "topicName");
        List<String> descriptions = all(form, "topicDescription");
        List<String> examples = all(form, "topicExamples");
        List<TopicRow> topics = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            topics.add(new TopicRow(names.get(i).strip(), i < descriptions.size() ? descriptions.get(i) : "",
                    i < examples.size() ? examples.get(i) : ""));
        }
        if (topics.isEmpty() || !topics.getLast().blank()) {
            topics.add(new TopicRow("", "", ""));
        }
        return new PolicyForm(id == null ? one(form, "id").strip() : id, one(form, "description"),
                form.containsKey("enabled"), one(form, "roles"), one(form, "apps"), one(form, "experts"), all(form, "stages"),
                all(form, "detectors"), actions, one(form, "defaultAction"), one(form, "minScore").strip(),
                one(form, "maxPromptTokens").strip(), one(form, "maxOutputTokens").strip(), topics);
    }

    /** The draft the policy module validates; a number that is not one is refused here, naming its field. */
    PolicyAdministration.Draft draft() {
        List<PolicyDefinition.Topic> drafted = new ArrayList<>();
        for (TopicRow topic : topics) {
            if (!topic.blank()) {
                drafted.add(new PolicyDefinition.Topic(topic.name(), topic.description(),
                        topic.examples().lines().map(String::strip).filter(line -> !line.isEmpty()).toList()));
            }
        }
        Double score = minScore.isEmpty() ? null : number("minScore", minScore, Double::valueOf, "a number between 0 and 1");
        return new PolicyAdministration.Draft(id, description, enabled, list(roles), list(apps), list(experts), stages,
                detectors, drafted, actions, defaultAction, score,
                tokens("maxPromptTokens", maxPromptTokens), tokens("maxOutputTokens", maxOutputTokens));
    }

    public boolean hasStage(String stage) {
        return stages.contains(stage);
    }

    public boolean hasDetector(String detector) {
        return detectors.contains(detector);
    }

    public String action(String type) {
        return actions.getOrDefault(type, "");
    }

    private static Integer tokens(String field, String value) {
        return value.isEmpty() ? null : number(field, value, Integer::valueOf, "a whole number of tokens");
    }

    private static <T> T number(String field, String value, java.util.function.Function<String, T> parse, String what) {
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be " + what + ", not '" + value + "'").exception();
        }
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(value -> !value.isEmpty()).toList();
    }

    private static String one(MultiValueMap<String, String> form, String name) {
        String value = form.getFirst(name);
        return value == null ? "" : value;
    }

    private static List<String> all(MultiValueMap<String, String> form, String name) {
        List<String> values = form.get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    private static String text(Integer value) {
        return value == null ? "" : value.toString();
    }
}
