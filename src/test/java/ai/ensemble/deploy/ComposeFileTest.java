package ai.ensemble.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml (no Docker engine here, so it is checked as data): its Ensemble containers
 * set only settings the application knows, and its Keycloak realm agrees with them.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private final ConfigurationKeys keys = ConfigurationKeys.ofApplication();
    private final String composeText = read(COMPOSE);
    private final Map<String, Object> compose = new Yaml().load(composeText);
    private final Map<String, Object> services = Yamls.map(compose, "services");

    @Test
    void ensembleContainersSetOnlySettingsTheApplicationKnows() {
        List<String> ensembleServices = List.of("migrate", "gateway", "worker");
        assertThat(services).containsKeys(ensembleServices.toArray(String[]::new));
        for (String service : ensembleServices) {
            assertThat(environment(service).keySet()).as(service).isNotEmpty()
                    .allSatisfy(name -> assertThat(keys.knowsEnvironmentVariable(name))
                            .as("%s of service %s is not a setting of the application", name, service).isTrue());
        }
    }

    @Test
    void migrationsRunOnceBeforeTheGatewayStartsWithFlywayOff() {
        assertThat(environment("migrate")).containsEntry("ENSEMBLE_MIGRATE_ONLY", "true").containsEntry("SPRING_FLYWAY_ENABLED", "true");
        assertThat(Yamls.string(services.get("migrate"), "restart")).isEqualTo("no");
        assertThat(environment("gateway")).containsEntry("SPRING_FLYWAY_ENABLED", "false").doesNotContainKey("ENSEMBLE_MIGRATE_ONLY");
        assertThat(Yamls.string(services.get("gateway"), "depends_on.migrate.condition")).isEqualTo("service_completed_successfully");
        // the inference worker has no database at all
        assertThat(environment("worker").keySet()).noneMatch(name -> name.startsWith("SPRING_") || name.equals("ENSEMBLE_MIGRATE_ONLY"));
        assertThat(environment("migrate").get("SPRING_DATASOURCE_URL")).isEqualTo(environment("gateway").get("SPRING_DATASOURCE_URL"));
    }

    @Test
    void gatewayReachesPostgresAsConfigured() {
        Map<String, String> postgres = environment("postgres");
        Map<String, String> gateway = environment("gateway");

        assertThat(gateway.get("SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
        assertThat(gateway).containsEntry("SPRING_DATASOURCE_USERNAME", postgres.get("POSTGRES_USER"))
                .containsEntry("SPRING_DATASOURCE_PASSWORD", postgres.get("POSTGRES_PASSWORD"));
    }

    @Test
    void gatewayPublishesServerPortAndChecksReadiness() {
        int serverPort = (Integer) Yamls.find(HelmChartTest.applicationYaml(), "server.port");

        assertThat(strings(Yamls.find(services.get("gateway"), "ports"))).containsExactly(serverPort + ":" + serverPort);
        assertThat(Yamls.string(services.get("gateway"), "healthcheck.test"))
                .contains("/dev/tcp/127.0.0.1/" + serverPort, "/actuator/health/readiness");
    }

    @Test
    void keycloakImportsTheRealmWhoseIssuerAudienceAndGroupsTheGatewayTrusts() {
        Map<String, Object> keycloak = Yamls.map(compose, "services.keycloak");
        String mount = ((List<?>) keycloak.get("volumes")).stream().map(Object::toString)
                .filter(v -> v.contains("/opt/keycloak/data/import/")).findFirst().orElseThrow();
        Path realmFile = Path.of(mount.substring(0, mount.indexOf(':')));
        assertThat(realmFile).isRegularFile();
        assertThat(strings(keycloak.get("command"))).contains("--import-realm");

        JsonNode realm = JsonMapper.builder().build().readTree(read(realmFile));
        String realmName = realm.path("realm").asString();
        Map<String, String> gateway = environment("gateway");
        String hostname = environment("keycloak").get("KC_HOSTNAME");
        assertThat(gateway.get("ENSEMBLE_SECURITY_ISSUERS_0_ISSUER")).isEqualTo(hostname + "/realms/" + realmName);
        assertThat(strings(keycloak.get("ports"))).contains(hostname.replaceAll(".*:(\\d+)$", "$1") + ":8080");
        assertThat(gateway.get("ENSEMBLE_SECURITY_ISSUERS_0_JWK_SET_URI"))
                .isEqualTo("http://keycloak:8080/realms/" + realmName + "/protocol/openid-connect/certs");

        assertThat(realm.path("clients").values()).isNotEmpty().allSatisfy(client -> {
            List<JsonNode> mappers = client.path("protocolMappers").values().stream().toList();
            assertThat(mappers).as(client.path("clientId").asString())
                    .anySatisfy(m -> assertThat(m.path("config").path("included.custom.audience").asString())
                            .isEqualTo(gateway.get("ENSEMBLE_SECURITY_ISSUERS_0_AUDIENCES_0")))
                    .anySatisfy(m -> assertThat(m.path("config").path("claim.name").asString())
                            .isEqualTo(gateway.get("ENSEMBLE_SECURITY_ISSUERS_0_GROUPS_CLAIM")));
        });
    }

    @Test
    void theDocumentedDemoClientExistsWithItsSecretAndClientCredentials() {
        Matcher curl = Pattern.compile("client_id=(\\S+) -d client_secret=(\\S+)").matcher(composeText);
        assertThat(curl.find()).as("the token example in the header").isTrue();
        JsonNode realm = JsonMapper.builder().build().readTree(read(Path.of("docker/keycloak/ensemble-realm.json")));

        JsonNode client = realm.path("clients").values().stream()
                .filter(c -> c.path("clientId").asString().equals(curl.group(1))).findFirst().orElseThrow();
        assertThat(client.path("secret").asString()).isEqualTo(curl.group(2));
        assertThat(client.path("serviceAccountsEnabled").asBoolean()).isTrue();
    }

    @Test
    void realmGroupsAreTheOnesTheMigrationsMapToRoles() {
        Matcher defaults = Pattern.compile("\\('(ensemble-[a-z]+)',\\s*'[a-z]+'\\)")
                .matcher(read(Path.of("db/migration/V1__create_access_control.sql")));
        List<String> mappedGroups = defaults.results().map(m -> m.group(1)).toList();
        JsonNode realm = JsonMapper.builder().build().readTree(read(Path.of("docker/keycloak/ensemble-realm.json")));

        assertThat(mappedGroups).isNotEmpty();
        assertThat(realm.path("groups").values().stream().map(g -> g.path("name").asString()).toList())
                .containsAll(mappedGroups);
    }

    @Test
    void workerRunsTheEngineAloneOnAGpuAndTheGatewayCallsItWithTheSharedTokenSecret() {
        Map<String, Object> worker = Yamls.map(compose, "services.worker");

        assertThat(strings(worker.get("profiles"))).containsExactly("gpu");
        assertThat(Yamls.string(worker, "deploy.resources.reservations.devices")).contains("nvidia", "gpu");
        assertThat(environment("worker")).containsEntry("ENSEMBLE_ROLE", "inference-worker")
                .containsEntry("ENSEMBLE_ENGINE_BACKEND", "cuda").containsEntry("ENSEMBLE_WORKER_PORT", "8080")
                .doesNotContainKeys("ENSEMBLE_SECURITY_ISSUERS_0_ISSUER", "SPRING_DATASOURCE_URL");
        assertThat(environment("worker").get("ENSEMBLE_WORKER_MODEL")).startsWith("/models/");
        assertThat((List<?>) worker.get("volumes")).anySatisfy(v -> assertThat(v.toString()).endsWith(":/models:ro"));
        assertThat(worker).doesNotContainKey("depends_on");

        assertThat(environment("gateway")).containsEntry("ENSEMBLE_ROLE", "gateway")
                .containsEntry("ENSEMBLE_EXPERTS_1_TYPE", "worker").containsEntry("ENSEMBLE_EXPERTS_1_BASE_URL", "http://worker:8080");
        String secret = environment("gateway").get("ENSEMBLE_WORKER_TOKEN_SECRET");
        assertThat(secret).isEqualTo(environment("worker").get("ENSEMBLE_WORKER_TOKEN_SECRET")).contains("WORKER_TOKEN_SECRET");
    }

    private Map<String, String> environment(String service) {
        Map<String, String> environment = new java.util.TreeMap<>();
        Yamls.map(services.get(service), "environment").forEach((k, v) -> environment.put(k, String.valueOf(v)));
        return environment;
    }

    private static List<String> strings(Object list) {
        return list instanceof List<?> elements ? elements.stream().map(String::valueOf).toList() : List.of();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
