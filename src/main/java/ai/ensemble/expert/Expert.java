package ai.ensemble.expert;

/**
 * One expert model. {@link #generate} blocks the calling (virtual) thread until the answer is
 * complete, handing each piece of text to the sink as soon as it exists, so callers can stream.
 */
public interface Expert {

    ExpertInfo info();

    /**
     * @throws ExpertException when the expert cannot answer; {@link ExpertException#beforeFirstToken()}
     *                         tells whether any text had already reached the sink
     */
    Completion generate(ExpertRequest request, DeltaSink sink, Cancellation cancellation);

    /**
     * A cheap check that the expert can answer now (an upstream's model list, for instance); never
     * throws. Experts in this process are healthy while they exist.
     */
    default boolean probe() {
        return true;
    }
}
