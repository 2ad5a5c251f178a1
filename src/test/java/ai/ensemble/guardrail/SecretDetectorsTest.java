package ai.ensemble.guardrail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static ai.ensemble.guardrail.Marked.assertFinds;
import static ai.ensemble.guardrail.Marked.assertIgnores;

/** Each secret detector on generated keys (spans marked ⟦…⟧) and on look-alikes it must leave alone. */
class SecretDetectorsTest {

    private final FakeSecrets fake = new FakeSecrets(7);

    @Test
    void findsAwsAccessKeyIdsAndSecretKeysInContext() {
        String id = fake.awsAccessKeyId();
        String secret = fake.awsSecretKey();
        assertFinds("aws-access-key", EntityType.AWS_ACCESS_KEY, "aws_access_key_id = ⟦" + id + "⟧");
        assertFinds("aws-secret-key", EntityType.AWS_SECRET_KEY, "aws_secret_access_key = ⟦" + secret + "⟧");
        assertFinds("aws-secret-key", EntityType.AWS_SECRET_KEY, "keys: " + id + " / ⟦" + secret + "⟧");
        assertFinds("aws-access-key", EntityType.AWS_ACCESS_KEY, "temporary ⟦ASIA" + FakeSecrets.BASE32.substring(0, 16) + "⟧");
    }

    @Test
    void ignoresAwsShapedStringsWithoutTheRightPrefixOrContext() {
        assertIgnores("aws-access-key", EntityType.AWS_ACCESS_KEY, "AKIA" + "abcdefghijklmnop"); // lower case is not base 32
        assertIgnores("aws-access-key", EntityType.AWS_ACCESS_KEY, "XKIA" + fake.chars(FakeSecrets.BASE32, 16));
        assertIgnores("aws-access-key", EntityType.AWS_ACCESS_KEY, "AKIA" + fake.chars(FakeSecrets.BASE32, 17));
        // A random 40-character base64 string is only an AWS secret key next to AWS words or a key id.
        assertIgnores("aws-secret-key", EntityType.AWS_SECRET_KEY, "checksum " + fake.awsSecretKey() + " matches");
        assertIgnores("aws-secret-key", EntityType.AWS_SECRET_KEY, "aws_secret_access_key = " + "a".repeat(40));
    }

    @Test
    void findsGcpApiKeysAndServiceAccountKeys() {
        assertFinds("gcp-api-key", EntityType.GCP_API_KEY, "?key=⟦" + fake.gcpApiKey() + "⟧&q=1");
        String pem = fake.pemPrivateKey("", 3, "\\n");
        String keyId = fake.chars("0123456789abcdef", 40);
        assertFinds("gcp-service-account", EntityType.GCP_SERVICE_ACCOUNT, "{\"type\": \"service_account\", \"private_key_id\": \"⟦"
                + keyId + "⟧\", \"private_key\": \"⟦" + pem + "\\n⟧\", \"client_email\": \"x@p.iam.gserviceaccount.com\"}");
        assertIgnores("gcp-api-key", EntityType.GCP_API_KEY, "AIza" + fake.chars(FakeSecrets.BASE64URL, 30));
        assertIgnores("gcp-service-account", EntityType.GCP_SERVICE_ACCOUNT, "{\"private_key\": \"\", \"private_key_id\": \"none\"}");
    }

    @Test
    void findsAzureKeysInConnectionStrings() {
        String key = fake.azureStorageKey();
        assertFinds("azure-key", EntityType.AZURE_KEY,
                "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=⟦" + key + "⟧;EndpointSuffix=core.windows.net");
        String sas = fake.chars(FakeSecrets.BASE64, 43) + "=";
        assertFinds("azure-key", EntityType.AZURE_KEY, "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=⟦" + sas + "⟧");
        assertIgnores("azure-key", EntityType.AZURE_KEY, "AccountKey=<your-account-key>");
        assertIgnores("azure-key", EntityType.AZURE_KEY, "AccountKey=" + "A".repeat(86) + "==");
    }

    @Test
    void findsPemPrivateKeysWholeAndTruncated() {
        String pem = fake.pemPrivateKey("RSA ", 5, "\n");
        assertFinds("private-key", EntityType.PRIVATE_KEY, "here:\n⟦" + pem + "⟧\nthanks");
        String truncated = pem.substring(0, 150);
        assertFinds("private-key", EntityType.PRIVATE_KEY, "cut off: ⟦" + truncated + "⟧");
        assertIgnores("private-key", EntityType.PRIVATE_KEY, "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----");
        assertIgnores("private-key", EntityType.PRIVATE_KEY, "-----BEGIN CERTIFICATE-----");
    }

    @Test
    void findsJwtsWhoseHeaderIsJsonWithAlg() {
        String jwt = fake.jwt();
        assertFinds("jwt", EntityType.JWT, "token ⟦" + jwt + "⟧ expired");
        String notJson = "eyJub3QganNvbiBhdCBhbGw." + fake.token(20) + "." + fake.token(20); // header decodes to text without alg
        assertIgnores("jwt", EntityType.JWT, notJson);
        assertIgnores("jwt", EntityType.JWT, "file.name.txt and a.b.c");
    }

    @Test
    void findsBearerTokensButNotPlaceholders() {
        String token = "sk-" + fake.token(40);
        assertFinds("bearer-token", EntityType.BEARER_TOKEN, "curl -H 'Authorization: Bearer ⟦" + token + "⟧' https://api");
        assertIgnores("bearer-token", EntityType.BEARER_TOKEN, "Authorization: Bearer <token>");
        assertIgnores("bearer-token", EntityType.BEARER_TOKEN, "Authorization: Bearer YOUR_API_KEY_HERE");
        assertIgnores("bearer-token", EntityType.BEARER_TOKEN, "Authorization: Bearer ${OPENAI_API_KEY}");
        assertIgnores("bearer-token", EntityType.BEARER_TOKEN, "send a bearer token in the header");
    }

    @Test
    void findsHighEntropyValuesInCredentialContext() {
        String value = fake.token(32);
        assertFinds("secret", EntityType.SECRET, "export GITHUB_TOKEN=⟦" + value + "⟧");
        assertFinds("secret", EntityType.SECRET, "{\"api_key\": \"⟦" + value + "⟧\"}");
        assertFinds("secret", EntityType.SECRET, "db password: ⟦Tr0ub4dor&3x!⟧");
        assertFinds("secret", EntityType.SECRET, "client_secret=⟦" + value + "⟧&grant_type=client_credentials");
        assertFinds("secret", EntityType.SECRET, "my password is ⟦Blue-Falcon-42x⟧.");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "commit 3f2a9c1e7b4d8e6f0a1b2c3d4e5f60718293a4b5 fixed it",      // a hash outside credential context
        "request id 550e8400-e29b-41d4-a716-446655440000",              // a UUID
        "blob: dGhpcyBpcyBqdXN0IHNvbWUgYmFzZTY0IHRleHQgaGVyZQ==",        // base64 without a credential name
        "password: ********", "password = ${DB_PASSWORD}", "api_key: <your-api-key>", "token = os.environ['TOKEN']",
        "password=changeme123", "The password is incorrect.", "secret: get_secret()", "token: config.auth_token",
        "password: xxxxxxxxxxxx", "set token_type = bearer_token_v2",
    })
    void ignoresHashesUuidsAndPlaceholders(String text) {
        assertIgnores("secret", EntityType.SECRET, text);
    }
}
