package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import ai.ensemble.expert.ExpertDefinition;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code expert} and {@code routing_example} tables. Callers own the transactions. */
@Repository
class ExpertStore {

    record StoredExpert(ExpertDefinition definition, String source, String configSha256, Instant createdAt, Instant updatedAt) {
        String id() {
            return definition.id();
        }
    }

    record StoredExample(long id, String expertId, String text, float[] embedding, Instant createdAt) {
    }

    private static final String COLUMNS = """
            id, display_name, description, backend, base_url, api_key, model, system_prompt, context_length, streaming,
            cost_weight, data_classification, on_premises, enabled, allowed_roles, connect_timeout_ms,
            first_token_timeout_ms, request_timeout_ms, max_retries, source, config_sha256, created_at, updated_at""";

    private final JdbcClient jdbc;

    ExpertStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<StoredExpert> all() {
        return jdbc.sql("select " + COLUMNS + " from expert order by created_at, id").query((rs, n) -> expert(rs)).list();
    }

    Optional<StoredExpert> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from expert where id = ?").param(id).query((rs, n) -> expert(rs)).optional();
    }

    void insert(ExpertDefinition d, String source, String configSha256) {
        jdbc.sql("insert into expert (" + COLUMNS.replace(", created_at, updated_at", "") + ") "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?, ?, ?, ?, ?)")
                .params(values(d, source, configSha256)).update();
    }

    /** Replaces every field; the API key only when a new one is given. */
    boolean update(ExpertDefinition d, String source, String configSha256, boolean replaceApiKey) {
        Object[] v = values(d, source, configSha256);
        return jdbc.sql("""
                        update expert set display_name = ?, description = ?, backend = ?, base_url = ?,
                               api_key = case when ? then ? else api_key end, model = ?, system_prompt = ?,
                               context_length = ?, streaming = ?, cost_weight = ?, data_classification = ?, on_premises = ?,
                               enabled = ?, allowed_roles = ?::text[], connect_timeout_ms = ?, first_token_timeout_ms = ?,
                               request_timeout_ms = ?, max_retries = ?, source = ?, config_sha256 = ?, updated_at = now()
                        where id = ?""")
                .params(v[1], v[2], v[3], v[4], replaceApiKey, v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                        v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[0])
                .update() == 1;
    }

    boolean delete(String id) {
        return jdbc.sql("delete from expert where id = ?").param(id).update() == 1;
    }

    /** Configured experts that configuration no longer names stop serving, but keep their examples. */
    int disableConfiguredExcept(List<String> configured) {
        return jdbc.sql("update expert set enabled = false, updated_at = now() where source = 'config' and enabled "
                        + "and not (id = any (?::text[]))")
                .param(textArray(configured)).update();
    }

    List<StoredExample> examples() {
        return jdbc.sql("select id, expert_id, text, embedding, created_at from routing_example order by id")
                .query((rs, n) -> example(rs, true)).list();
    }

    List<StoredExample> examples(String expertId) {
        return jdbc.sql("select id, expert_id, text, null as embedding, created_at from routing_example "
                        + "where expert_id = ? order by id")
                .param(expertId).query((rs, n) -> example(rs, false)).list();
    }

    List<String> exampleTexts(String expertId) {
        return jdbc.sql("select text from routing_example where expert_id = ?").param(expertId).query(String.class).list();
    }

    /** @return whether the example was new (an expert never holds the same text twice) */
    boolean insertExample(String expertId, String text, float[] embedding) {
        return jdbc.sql("insert into routing_example (expert_id, text, embedding, embedding_model) values (?, ?, ?::real[], ?) "
                        + "on conflict (expert_id, text) do nothing")
                .params(expertId, text, realArray(embedding), SentenceEmbeddings.MODEL).update() == 1;
    }

    boolean deleteExample(String expertId, long exampleId) {
        return jdbc.sql("delete from routing_example where expert_id = ? and id = ?").params(expertId, exampleId).update() == 1;
    }

    int deleteExamples(String expertId) {
        return jdbc.sql("delete from routing_example where expert_id = ?").param(expertId).update();
    }

    long version() {
        return jdbc.sql("select version from expert_registry_version").query(Long.class).single();
    }

    long bumpVersion() {
        return jdbc.sql("update expert_registry_version set version = version + 1 returning version").query(Long.class).single();
    }

    private static Object[] values(ExpertDefinition d, String source, String configSha256) {
        return new Object[] {d.id(), d.displayName(), d.description(), d.type(), d.baseUrl(), d.apiKey(), d.model(),
                d.systemPrompt(), d.contextLength(), d.streaming(), d.costWeight(), d.effectiveDataClassification(),
                d.runsOnPremises(), d.enabled(), textArray(d.allowedRoles()), d.connectTimeout().toMillis(),
                d.firstTokenTimeout().toMillis(), d.requestTimeout().toMillis(), d.maxRetries(), source, configSha256};
    }

    private static StoredExpert expert(ResultSet rs) throws SQLException {
        ExpertDefinition definition = new ExpertDefinition(rs.getString("id"), rs.getString("display_name"),
                rs.getString("description"), rs.getString("backend"), rs.getString("base_url"), rs.getString("api_key"),
                rs.getString("model"), Duration.ofMillis(rs.getLong("connect_timeout_ms")),
                Duration.ofMillis(rs.getLong("first_token_timeout_ms")), Duration.ofMillis(rs.getLong("request_timeout_ms")),
                rs.getInt("max_retries"), rs.getInt("context_length"), rs.getString("system_prompt"), rs.getBoolean("streaming"),
                rs.getDouble("cost_weight"), rs.getString("data_classification"), rs.getBoolean("on_premises"),
                rs.getBoolean("enabled"), strings(rs.getArray("allowed_roles")), List.of());
        return new StoredExpert(definition, rs.getString("source"), rs.getString("config_sha256"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static StoredExample example(ResultSet rs, boolean withEmbedding) throws SQLException {
        float[] embedding = null;
        if (withEmbedding) {
            Object[] values = (Object[]) rs.getArray("embedding").getArray();
            embedding = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                embedding[i] = ((Number) values[i]).floatValue();
            }
        }
        return new StoredExample(rs.getLong("id"), rs.getString("expert_id"), rs.getString("text"), embedding,
                rs.getTimestamp("created_at").toInstant());
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    /** A Postgres array literal of strings, each quoted and escaped. */
    private static String textArray(List<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            literal.append(i == 0 ? "" : ",").append('"')
                    .append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return literal.append('}').toString();
    }

    /** Float.toString is the shortest text that reads back as the same float, so nothing is lost. */
    private static String realArray(float[] vector) {
        StringBuilder literal = new StringBuilder(vector.length * 12).append('{');
        for (int i = 0; i < vector.length; i++) {
            literal.append(i == 0 ? "" : ",").append(vector[i]);
        }
        return literal.append('}').toString();
    }
}
