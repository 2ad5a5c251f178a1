package ai.ensemble.expert;

/** What an expert is and can do, as listed by {@code /v1/models}. */
public record ExpertInfo(String id, String displayName, String description, String ownedBy,
                         boolean streaming, int contextLength) {
}
