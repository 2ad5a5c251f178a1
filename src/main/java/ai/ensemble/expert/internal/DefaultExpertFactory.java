package ai.ensemble.expert.internal;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Builds upstream, engine and echo experts; the engine's backend and queue come from {@code ensemble.engine.*}. */
@Component
class DefaultExpertFactory implements ExpertFactory {

    private final LocalModel.Options engine;

    DefaultExpertFactory(@Value("${ensemble.engine.backend:auto}") String engineBackend,
                         @Value("${ensemble.engine.max-waiting:" + LocalModel.Options.DEFAULT_MAX_WAITING + "}") int engineMaxWaiting) {
        this.engine = new LocalModel.Options(engineBackend, engineMaxWaiting, true);
    }

    @Override
    public Expert create(ExpertDefinition definition, String where) {
        try {
            return switch (definition.type()) {
                case "echo" -> new EchoExpert(definition);
                case "engine" -> new EngineExpert(definition, where, engine);
                case "upstream" -> {
                    if (definition.baseUrl() == null || !definition.baseUrl().matches("https?://.+")) {
                        throw new IllegalArgumentException(where + ".base-url must be an http(s) URL such as http://vllm:8000/v1");
                    }
                    yield new UpstreamExpert(definition, HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(definition.connectTimeout())
                            .build());
                }
                default -> throw new IllegalArgumentException(where + ".type must be 'upstream', 'engine' or 'echo', not '"
                        + definition.type() + "'");
            };
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
