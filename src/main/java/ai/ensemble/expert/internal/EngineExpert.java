package ai.ensemble.expert.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertInfo;
import ai.ensemble.expert.ExpertRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An expert served by Ensemble's own engine in this process ({@code type: engine}); {@code model}
 * names a model folder, a .gguf file, or {@code demo} (a random-weight model that produces noise,
 * so that the whole pipeline runs without downloading anything).
 */
final class EngineExpert implements Expert, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EngineExpert.class);
    private static final int DEFAULT_MAX_TOKENS = 256;

    private final LocalModel model;
    private final ExpertInfo info;

    EngineExpert(ExpertDefinition definition, String where, String backend) {
        this(definition, where, LocalModel.Options.defaults().withBackend(backend));
    }

    EngineExpert(ExpertDefinition definition, String where, LocalModel.Options options) {
        String spec = definition.model() == null || definition.model().isBlank() ? "demo" : definition.model();
        try {
            this.model = LocalModel.open(spec, options);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ".model: " + e.getMessage(), e);
        }
        String backendText = model.backend() + (model.backendNote() == null ? "" : "; " + model.backendNote());
        String description = definition.description().isBlank()
                ? "Model " + model.name() + " on Ensemble's engine (" + backendText + ")"
                : definition.description();
        this.info = new ExpertInfo(definition.id(), definition.displayName() == null ? model.name() : definition.displayName(),
                description, "ensemble-engine:" + model.backend(), true, model.contextLength());
        log.info("Expert '{}' serves {} on the engine's {} backend", definition.id(), model.name(), backendText);
    }

    @Override
    public ExpertInfo info() {
        return info;
    }

    @Override
    public Completion generate(ExpertRequest request, DeltaSink sink, Cancellation cancellation) {
        var turns = request.messages().stream().map(m -> new LocalModel.Turn(m.role(), m.content())).toList();
        var settings = new LocalModel.Settings(request.maxTokens() == null ? DEFAULT_MAX_TOKENS : request.maxTokens(),
                floatOrNull(request.temperature()), floatOrNull(request.topP()), request.seed(),
                floatOrNull(request.presencePenalty()), floatOrNull(request.frequencyPenalty()), request.stop());
        boolean[] delivered = {false};
        LocalModel.Result result;
        try {
            result = model.generate(turns, settings, text -> {
                delivered[0] = true;
                sink.delta(text);
            }, cancellation::isCancelled, cancellation::onCancel);
        } catch (LocalModel.BusyException e) {
            throw new ExpertException(ExpertException.Kind.BUSY, e.getMessage(), true, e, e.retryAfterSeconds());
        } catch (LocalModel.PromptTooLongException e) {
            throw new ExpertException(ExpertException.Kind.REJECTED, e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpertException(ExpertException.Kind.CANCELLED, "interrupted while waiting for the model", true, e);
        }
        if ("cancelled".equals(result.finishReason())) {
            throw new ExpertException(ExpertException.Kind.CANCELLED, "cancelled", !delivered[0], null);
        }
        return new Completion(result.text(), result.finishReason(),
                new Completion.Usage(result.promptTokens(), result.completionTokens()));
    }

    private static Float floatOrNull(Double value) {
        return value == null ? null : value.floatValue();
    }

    /** The engine behind this expert (tests). */
    LocalModel model() {
        return model;
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
