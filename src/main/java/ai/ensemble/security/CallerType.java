package ai.ensemble.security;

/** How a caller proved who they are. */
public enum CallerType {
    JWT("jwt"), API_KEY("api_key");

    private final String label;

    CallerType(String label) {
        this.label = label;
    }

    /** The lower-case name used in metrics and audit records. */
    public String label() {
        return label;
    }
}
