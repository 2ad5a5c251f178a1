package ai.ensemble.policy.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.Detectors;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Stage;
import ai.ensemble.policy.PolicyDefinition;
import ai.ensemble.shared.ApiError;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policies in Postgres: validated writes (each rule named in a 400), reads cached for a few
 * seconds (every replica sees a change within {@link #CACHE_NANOS}; this one at once), and at start
 * the policies of {@code ensemble.guardrail.policies} that the table does not hold yet (an admin's
 * later changes are never overwritten by configuration).
 */
@Component
public class PolicyStore implements SmartInitializingSingleton {

    /** A policy as the admin API and the configuration give it: names as strings, lower case. */
    public record PolicyRequest(String id, String description, Boolean enabled, List<String> roles, List<String> apps,
                                List<String> experts, List<String> stages, List<String> detectors, List<TopicRequest> topics,
                                Map<String, String> actions, String defaultAction, Double minScore, Integer maxPromptTokens,
                                Integer maxOutputTokens) {
    }

    /** A denied topic as given: a name, a description, examples of what it covers. */
    public record TopicRequest(String name, String description, List<String> examples) {
    }

    /** Every detector id a policy may name: the guardrail module's and the embedding-based prompt-injection classifier. */
    public static java.util.SortedSet<String> detectorIds() {
        java.util.SortedSet<String> ids = new java.util.TreeSet<>(Detectors.ids());
        ids.add(InjectionDetector.ID);
        return ids;
    }

    static final long CACHE_NANOS = 5_000_000_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final GuardrailSettings settings;
    private volatile List<PolicyDefinition> cached;
    private volatile long cachedAt;

    PolicyStore(JdbcClient jdbc, GuardrailSettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (PolicyRequest seed : settings.policies()) {
            PolicyDefinition policy = validate(seed, seed.id());
            if (find(policy.id()).isEmpty()) {
                insert(policy, "configuration");
            }
        }
    }

    /** The enabled policies, from a cache at most a few seconds old. */
    public List<PolicyDefinition> enabled() {
        List<PolicyDefinition> current = cached;
        if (current == null || System.nanoTime() - cachedAt > CACHE_NANOS) {
            current = list().stream().filter(PolicyDefinition::enabled).toList();
            cached = current;
            cachedAt = System.nanoTime();
        }
        return current;
    }

    public List<PolicyDefinition> list() {
        return jdbc.sql("select * from guardrail_policy order by id").query(PolicyStore::definition).list();
    }

    public Optional<PolicyDefinition> find(String id) {
        return jdbc.sql("select * from guardrail_policy where id = ?").params(id).query(PolicyStore::definition).optional();
    }

    @Transactional
    public PolicyDefinition create(PolicyRequest request, String by) {
        PolicyDefinition policy = validate(request, request == null ? null : request.id());
        try {
            insert(policy, by);
        } catch (DuplicateKeyException e) {
            throw ApiError.conflict("id", "A policy with id '" + policy.id() + "' exists already").exception();
        }
        cached = null;
        return find(policy.id()).orElseThrow();
    }

    @Transactional
    public PolicyDefinition replace(String id, PolicyRequest request, String by) {
        find(id).orElseThrow(() -> notFound(id));
        if (request != null && request.id() != null && !request.id().equals(id)) {
            throw ApiError.invalidRequest("id", "'id' cannot change (the path names policy '" + id + "')").exception();
        }
        PolicyDefinition policy = validate(request, id);
        jdbc.sql("""
                        update guardrail_policy set description = ?, enabled = ?, roles = ?, apps = ?, experts = ?, stages = ?,
                               detectors = ?, topics = cast(? as jsonb), actions = cast(? as jsonb), default_action = ?,
                               min_score = ?, max_prompt_tokens = ?, max_output_tokens = ?, updated_at = now(), updated_by = ?
                        where id = ?""")
                .params(policy.description(), policy.enabled(), array(policy.roles()), array(policy.apps()), array(policy.experts()),
                        array(stageNames(policy.stages())), array(policy.detectors()), JSON.writeValueAsString(policy.topics()),
                        actionsJson(policy.actions()), lower(policy.defaultAction()), policy.minScore(), policy.maxPromptTokens(),
                        policy.maxOutputTokens(), by, id)
                .update();
        cached = null;
        return find(id).orElseThrow();
    }

    @Transactional
    public PolicyDefinition delete(String id) {
        PolicyDefinition existing = find(id).orElseThrow(() -> notFound(id));
        jdbc.sql("delete from guardrail_policy where id = ?").params(id).update();
        cached = null;
        return existing;
    }

    public static RuntimeException notFound(String id) {
        return ApiError.notFound("id", "No policy with id '" + id + "'", "policy_not_found").exception();
    }

    /** Checks every field and names the first one that breaks a rule (400). */
    public PolicyDefinition validate(PolicyRequest request, String id) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        if (id == null || !id.matches("[a-z][a-z0-9_-]{0,62}")) {
            throw ApiError.invalidRequest("id", "'id' is required: a lower-case letter, then up to 62 of a-z, 0-9, '_' and '-'").exception();
        }
        String description = request.description() == null ? "" : request.description().strip();
        if (description.length() > 500) {
            throw ApiError.invalidRequest("description", "'description' may hold at most 500 characters").exception();
        }
        List<String> roles = names(request.roles(), "roles");
        for (int i = 0; i < roles.size(); i++) {
            if (jdbc.sql("select count(*) from role where name = ?").params(roles.get(i)).query(Long.class).single() == 0) {
                throw ApiError.invalidRequest("roles[" + i + "]", "Unknown role '" + roles.get(i) + "'").exception();
            }
        }
        List<String> apps = names(request.apps(), "apps");
        List<String> experts = names(request.experts(), "experts");
        if (request.stages() == null || request.stages().isEmpty()) {
            throw ApiError.invalidRequest("stages", "'stages' must name at least one of input, output, context").exception();
        }
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (int i = 0; i < request.stages().size(); i++) {
            String stage = request.stages().get(i);
            if (!"input".equals(stage) && !"output".equals(stage) && !"context".equals(stage)) {
                throw ApiError.invalidRequest("stages[" + i + "]", "'stages[" + i + "]' must be input, output or context").exception();
            }
            stages.add(Stage.valueOf(stage.toUpperCase(Locale.ROOT)));
        }
        List<String> detectors = request.detectors() == null ? List.of() : request.detectors();
        List<PolicyDefinition.Topic> topics = topics(request.topics());
        for (String[] limit : new String[][] {{"maxPromptTokens", String.valueOf(request.maxPromptTokens())},
                {"maxOutputTokens", String.valueOf(request.maxOutputTokens())}}) {
            if (!limit[1].equals("null") && Integer.parseInt(limit[1]) <= 0) {
                throw ApiError.invalidRequest(limit[0], "'" + limit[0] + "' must be a positive number of tokens").exception();
            }
        }
        if (detectors.isEmpty() && topics.isEmpty() && request.maxPromptTokens() == null && request.maxOutputTokens() == null) {
            throw ApiError.invalidRequest("detectors", "A policy needs 'detectors' (some of " + String.join(", ", detectorIds())
                    + "), denied 'topics' or size limits ('maxPromptTokens', 'maxOutputTokens')").exception();
        }
        for (int i = 0; i < detectors.size(); i++) {
            if (!detectorIds().contains(detectors.get(i))) {
                throw ApiError.invalidRequest("detectors[" + i + "]", "Unknown detector '" + detectors.get(i)
                        + "'; known: " + String.join(", ", detectorIds())).exception();
            }
        }
        if ((detectors.contains(InjectionDetector.ID) || !topics.isEmpty()) && !stages.contains(Stage.INPUT) && !stages.contains(Stage.CONTEXT)) {
            throw ApiError.invalidRequest("stages", "'prompt-injection' and denied topics screen the input and retrieved passages: "
                    + "'stages' must include input or context").exception();
        }
        Map<EntityType, Action> actions = new EnumMap<>(EntityType.class);
        if (request.actions() != null) {
            for (Map.Entry<String, String> entry : new TreeMap<>(request.actions()).entrySet()) {
                EntityType type = entityType(entry.getKey());
                actions.put(type, action(entry.getValue(), "actions." + entry.getKey()));
            }
        }
        if (request.defaultAction() == null) {
            throw ApiError.invalidRequest("defaultAction", "'defaultAction' is required: block, redact or flag").exception();
        }
        Action defaultAction = action(request.defaultAction(), "defaultAction");
        double minScore = request.minScore() == null ? 0.5 : request.minScore();
        if (!(minScore >= 0 && minScore <= 1)) {
            throw ApiError.invalidRequest("minScore", "'minScore' must lie between 0 and 1").exception();
        }
        return new PolicyDefinition(id, description, request.enabled() == null || request.enabled(), roles, apps, experts, stages,
                detectors.stream().distinct().toList(), topics, actions, defaultAction, minScore, request.maxPromptTokens(),
                request.maxOutputTokens());
    }

    private static List<PolicyDefinition.Topic> topics(List<TopicRequest> requests) {
        if (requests == null) {
            return List.of();
        }
        List<PolicyDefinition.Topic> topics = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            TopicRequest topic = requests.get(i);
            String at = "topics[" + i + "]";
            if (topic == null || topic.name() == null || !topic.name().matches("[a-z][a-z0-9_-]{0,62}")) {
                throw ApiError.invalidRequest(at + ".name", "'" + at + ".name' is required: a lower-case letter, then up to 62 of a-z, 0-9, '_' and '-'")
                        .exception();
            }
            if (!names.add(topic.name())) {
                throw ApiError.invalidRequest(at + ".name", "Topic '" + topic.name() + "' is named twice").exception();
            }
            List<String> examples = topic.examples() == null ? List.of() : topic.examples();
            if (examples.isEmpty() && (topic.description() == null || topic.description().isBlank())) {
                throw ApiError.invalidRequest(at + ".examples", "A topic needs a 'description' or 'examples'").exception();
            }
            if (examples.size() > 100) {
                throw ApiError.invalidRequest(at + ".examples", "A topic may have at most 100 examples").exception();
            }
            for (int j = 0; j < examples.size(); j++) {
                String example = examples.get(j);
                if (example == null || example.isBlank() || example.length() > 1000) {
                    throw ApiError.invalidRequest(at + ".examples[" + j + "]", "Examples must be 1-1,000 characters").exception();
                }
            }
            if (topic.description() != null && topic.description().length() > 1000) {
                throw ApiError.invalidRequest(at + ".description", "A topic's description may hold at most 1,000 characters").exception();
            }
            topics.add(new PolicyDefinition.Topic(topic.name(), topic.description() == null ? "" : topic.description().strip(),
                    examples.stream().map(String::strip).toList()));
        }
        return topics;
    }

    private static List<String> names(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (value == null || value.isBlank() || value.length() > 200) {
                throw ApiError.invalidRequest(field + "[" + i + "]", "'" + field + "[" + i + "]' must be 1-200 characters").exception();
            }
            out.add(value.strip());
        }
        return out.stream().distinct().toList();
    }

    private static EntityType entityType(String name) {
        try {
            return EntityType.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("actions." + name, "Unknown entity type '" + name + "'; known: "
                    + String.join(", ", Arrays.stream(EntityType.values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList()))
                    .exception();
        }
    }

    private static Action action(String name, String field) {
        try {
            return Action.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be block, redact or flag").exception();
        }
    }

    private void insert(PolicyDefinition policy, String by) {
        jdbc.sql("""
                        insert into guardrail_policy (id, description, enabled, roles, apps, experts, stages, detectors, topics,
                                                      actions, default_action, min_score, max_prompt_tokens, max_output_tokens,
                                                      updated_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, ?, ?, ?)""")
                .params(policy.id(), policy.description(), policy.enabled(), array(policy.roles()), array(policy.apps()),
                        array(policy.experts()), array(stageNames(policy.stages())), array(policy.detectors()),
                        JSON.writeValueAsString(policy.topics()), actionsJson(policy.actions()), lower(policy.defaultAction()),
                        policy.minScore(), policy.maxPromptTokens(), policy.maxOutputTokens(), by)
                .update();
        cached = null;
    }

    private static String[] array(List<String> values) {
        return values.toArray(String[]::new);
    }

    private static List<String> stageNames(Set<Stage> stages) {
        return stages.stream().sorted().map(s -> s.name().toLowerCase(Locale.ROOT)).toList();
    }

    private static String lower(Action action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    private static String actionsJson(Map<EntityType, Action> actions) {
        Map<String, String> out = new TreeMap<>();
        actions.forEach((type, action) -> out.put(type.name().toLowerCase(Locale.ROOT), lower(action)));
        return JSON.writeValueAsString(out);
    }

    /** The API's view of a policy: the request shape, lower-case names. */
    public static Map<String, Object> view(PolicyDefinition policy) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", policy.id());
        out.put("description", policy.description());
        out.put("enabled", policy.enabled());
        out.put("roles", policy.roles());
        out.put("apps", policy.apps());
        out.put("experts", policy.experts());
        out.put("stages", stageNames(policy.stages()));
        out.put("detectors", policy.detectors());
        out.put("topics", policy.topics());
        Map<String, String> actions = new TreeMap<>();
        policy.actions().forEach((type, action) -> actions.put(type.name().toLowerCase(Locale.ROOT), lower(action)));
        out.put("actions", actions);
        out.put("defaultAction", lower(policy.defaultAction()));
        out.put("minScore", policy.minScore());
        out.put("maxPromptTokens", policy.maxPromptTokens());
        out.put("maxOutputTokens", policy.maxOutputTokens());
        return out;
    }

    private static PolicyDefinition definition(ResultSet rs, int row) throws SQLException {
        Map<EntityType, Action> actions = new EnumMap<>(EntityType.class);
        JSON.readTree(rs.getString("actions")).properties().forEach(entry ->
                actions.put(EntityType.valueOf(entry.getKey().toUpperCase(Locale.ROOT)), Action.valueOf(entry.getValue().asString().toUpperCase(Locale.ROOT))));
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (String stage : strings(rs.getArray("stages"))) {
            stages.add(Stage.valueOf(stage.toUpperCase(Locale.ROOT)));
        }
        List<PolicyDefinition.Topic> topics = new ArrayList<>();
        for (JsonNode topic : JSON.readTree(rs.getString("topics"))) {
            List<String> examples = new ArrayList<>();
            topic.path("examples").forEach(example -> examples.add(example.asString()));
            topics.add(new PolicyDefinition.Topic(topic.path("name").asString(), topic.path("description").asString(""), examples));
        }
        return new PolicyDefinition(rs.getString("id"), rs.getString("description"), rs.getBoolean("enabled"),
                strings(rs.getArray("roles")), strings(rs.getArray("apps")), strings(rs.getArray("experts")), stages,
                strings(rs.getArray("detectors")), topics, actions, Action.valueOf(rs.getString("default_action").toUpperCase(Locale.ROOT)),
                rs.getDouble("min_score"), (Integer) rs.getObject("max_prompt_tokens"), (Integer) rs.getObject("max_output_tokens"));
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }
}
