package ai.ensemble.expert;

/** Receives each new piece of generated text, in order. */
@FunctionalInterface
public interface DeltaSink {

    void delta(String text);

    DeltaSink IGNORE = text -> { };
}
