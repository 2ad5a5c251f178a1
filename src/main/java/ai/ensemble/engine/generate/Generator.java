package ai.ensemble.engine.generate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cpu.KvCache;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.sampling.SampledToken;
import ai.ensemble.engine.sampling.Sampler;
import ai.ensemble.engine.tokenizer.Tokenizer;

/**
 * Generates a continuation of a prompt: one batched prefill of the prompt, then one forward pass
 * per token, each chosen by a {@link Sampler}. Ends on a stop token (every end-of-sequence token of
 * the model and its tokenizer, and those asked for), a stop string, maxTokens, a full context, or cancellation (a flag
 * read before every step). A generator holds no per-sequence state, so one serves many callers.
 */
public final class Generator {

    private final Forward forward;
    private final Supplier<TextDecoder> decoders;
    private final Set<Integer> endOfSequence; // the model's EOS ids and, with a tokenizer, its end-of-turn ids

    /**
     * Text is decoded by the tokenizer's {@link ai.ensemble.engine.tokenizer.StreamingDecoder}, and the
     * tokenizer's end-of-sequence and end-of-turn tokens stop generation too (a GGUF file may declare
     * only one EOS where the chat format ends turns with another).
     */
    public Generator(Forward forward, Tokenizer tokenizer) {
        this(forward, () -> TextDecoder.streaming(tokenizer), tokenizer.eosTokenIds());
    }

    /** @param decoders a fresh {@link TextDecoder} per generation */
    public Generator(Forward forward, Supplier<TextDecoder> decoders) {
        this(forward, decoders, Set.of());
    }

    private Generator(Forward forward, Supplier<TextDecoder> decoders, Set<Integer> moreEndOfSequence) {
        this.forward = forward;
        this.decoders = decoders;
        Set<Integer> ends = new HashSet<>(forward.config().eosTokens());
        ends.addAll(moreEndOfSequence);
        this.endOfSequence = Set.copyOf(ends);
    }

    public Forward forward() {
        return forward;
    }

    public GenerationResult generate(int[] prompt, GenerationParameters parameters) {
        return generate(prompt, parameters, TokenListener.IGNORE, () -> false);
    }

    public GenerationResult generate(int[] prompt, GenerationParameters parameters, TokenListener listener,
                                     BooleanSupplier cancelled) {
        ModelConfig config = forward.config();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        if (prompt.length >= config.contextLength()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens leaves no room in the context of "
                    + config.contextLength());
        }
        int capacity = (int) Math.min(config.contextLength(), (long) prompt.length + parameters.maxTokens());
        int maxTokens = capacity - prompt.length;
        Set<Integer> stopTokens = new HashSet<>(parameters.stopTokens());
        stopTokens.addAll(endOfSequence);

        Sampler sampler = new Sampler(parameters.sampling(), config.vocabSize());
        sampler.observePrompt(prompt);
        TextDecoder decoder = decoders.get();
        StopStrings stopStrings = new StopStrings(parameters.stopStrings());
        List<Integer> ids = new ArrayList<>();
        List<SampledToken> samples = new ArrayList<>();

        if (cancelled.getAsBoolean()) {
            return new GenerationResult(ids, "", FinishReason.CANCELLED, prompt.length, 0, samples, 0, 0);
        }
        KvCache cache = forward.newCache(capacity);
        long start = System.nanoTime();
        float[] logits = forward.prefill(prompt, 0, cache);
        double prefillMillis = (System.nanoTime() - start) / 1e6;

        long decodeNanos = 0;
        int decodeSteps = 0;
        FinishReason reason;
        while (true) {
            if (cancelled.getAsBoolean()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            SampledToken sample = sampler.sample(logits);
            if (stopTokens.contains(sample.token())) {
                reason = FinishReason.STOP;
                break;
            }
            ids.add(sample.token());
            samples.add(sample);
            String released = stopStrings.append(decoder.next(sample.token()));
            listener.onToken(sample.token(), released, sample);
            if (stopStrings.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (ids.size() == maxTokens) {
                reason = FinishReason.LENGTH;
                break;
            }
            long stepStart = System.nanoTime();
            logits = forward.forward(sample.token(), prompt.length + ids.size() - 1, cache);
            decodeNanos += System.nanoTime() - stepStart;
            decodeSteps++;
        }
        if (!stopStrings.stopped()) {
            String trailing = stopStrings.append(decoder.flush());
            trailing += stopStrings.stopped() ? "" : stopStrings.finish();
            if (!trailing.isEmpty()) {
                listener.onToken(TokenListener.NO_TOKEN, trailing, null);
            }
            if (stopStrings.stopped()) {
                reason = FinishReason.STOP;
            }
        }
        double tokensPerSecond = decodeSteps == 0 ? 0 : decodeSteps / (decodeNanos / 1e9);
        return new GenerationResult(ids, stopStrings.released(), reason, prompt.length, ids.size(), samples,
                prefillMillis, tokensPerSecond);
    }
}
