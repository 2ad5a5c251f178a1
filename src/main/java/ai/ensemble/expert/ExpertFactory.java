package ai.ensemble.expert;

/**
 * Builds a runnable {@link Expert} from its definition; the registry that owns definitions (the
 * router's, in Postgres) decides when. The caller closes experts that are {@link AutoCloseable}.
 */
public interface ExpertFactory {

    /**
     * @param where names the definition in messages, e.g. {@code ensemble.experts[2]}
     * @throws IllegalArgumentException when the definition cannot be served; the message names the field
     */
    Expert create(ExpertDefinition definition, String where);
}
