package ai.ensemble.guardrail;

/** What a finding is. The placeholder for a redacted span is {@code [<name>_<n>]}. */
public enum EntityType {
    EMAIL(false),
    PHONE(false),
    CREDIT_CARD(false),
    IBAN(false),
    US_SSN(false),
    IP_ADDRESS(false),
    DATE_OF_BIRTH(false),
    STREET_ADDRESS(false),
    PERSON(false),
    AWS_ACCESS_KEY(true),
    AWS_SECRET_KEY(true),
    GCP_API_KEY(true),
    GCP_SERVICE_ACCOUNT(true),
    AZURE_KEY(true),
    PRIVATE_KEY(true),
    JWT(true),
    BEARER_TOKEN(true),
    /** A high-entropy value in a credential context ({@code password=}, {@code api_key:} …). */
    SECRET(true),
    /** An attempt to override the model's instructions (jailbreak, prompt injection). */
    PROMPT_INJECTION(false),
    /** Text about a topic a policy denies. */
    DENIED_TOPIC(false);

    private final boolean secret;

    EntityType(boolean secret) {
        this.secret = secret;
    }

    /** Credentials and keys, as opposed to personal data. */
    public boolean isSecret() {
        return secret;
    }
}
