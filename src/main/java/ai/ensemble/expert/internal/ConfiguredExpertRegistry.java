package ai.ensemble.expert.internal;

import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertRegistry;
import ai.ensemble.expert.ExpertSettings;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import ai.ensemble.engine.LocalModel;
import org.springframework.stereotype.Component;

/** Builds the experts named in {@code ensemble.experts} once, at start-up, and refuses bad entries. */
@Component
class ConfiguredExpertRegistry implements ExpertRegistry, DisposableBean {

    private final Map<String, Expert> experts = new LinkedHashMap<>();

    ConfiguredExpertRegistry(ExpertSettings settings, @Value("${ensemble.engine.backend:auto}") String engineBackend,
                             @Value("${ensemble.engine.max-waiting:" + LocalModel.Options.DEFAULT_MAX_WAITING + "}") int engineMaxWaiting) {
        LocalModel.Options engine = new LocalModel.Options(engineBackend, engineMaxWaiting, true);
        for (int i = 0; i < settings.experts().size(); i++) {
            ExpertDefinition definition = settings.experts().get(i);
            String where = "ensemble.experts[" + i + "]";
            if (definition.id() == null || !definition.id().matches("[A-Za-z0-9._-]{1,100}")) {
                throw new IllegalStateException(where + ".id must be 1-100 letters, digits, '.', '_' or '-'");
            }
            if (experts.containsKey(definition.id())) {
                throw new IllegalStateException(where + ".id '" + definition.id() + "' is used twice");
            }
            experts.put(definition.id(), create(definition, where, engine));
        }
    }

    private static Expert create(ExpertDefinition definition, String where, LocalModel.Options engine) {
        return switch (definition.type()) {
            case "echo" -> new EchoExpert(definition);
            case "engine" -> new EngineExpert(definition, where, engine);
            case "upstream" -> {
                if (definition.baseUrl() == null || !definition.baseUrl().matches("https?://.+")) {
                    throw new IllegalStateException(where + ".base-url must be an http(s) URL such as http://vllm:8000/v1");
                }
                yield new UpstreamExpert(definition, HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(definition.connectTimeout())
                        .build());
            }
            default -> throw new IllegalStateException(where + ".type must be 'upstream', 'engine' or 'echo', not '" + definition.type() + "'");
        };
    }

    @Override
    public List<Expert> all() {
        return List.copyOf(experts.values());
    }

    @Override
    public Optional<Expert> find(String id) {
        return Optional.ofNullable(experts.get(id));
    }

    /** Releases what experts hold (engine models are memory-mapped). */
    @Override
    public void destroy() throws Exception {
        for (Expert expert : experts.values()) {
            if (expert instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }
}
