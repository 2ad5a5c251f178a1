package ai.ensemble.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ai.ensemble.deploy.RenderedChart.EnvVar;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code helm/ensemble}, linted and rendered by real Helm (helm-java) with its defaults, a
 * production-like values file and GPU workers on; the rendered objects are checked as parsed YAML.
 */
class HelmChartTest {

    /** Names of settings that hold secrets (FIRST_TOKEN_TIMEOUT does not, API_KEY does). */
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET).*|.*(API_KEY|TOKEN|CREDENTIALS?|PRIVATE_KEY)");
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?is).*(sk-[a-z0-9-]{16,}|-----BEGIN|password=|://[^/@\\s]+:[^/@\\s]+@|client_secret).*");

    private final ConfigurationKeys keys = ConfigurationKeys.ofApplication();

    /** A values file under ci/ on top of the defaults; empty: the defaults alone. */
    private static RenderedChart chart(String ciValuesFile) {
        return ciValuesFile.isEmpty() ? RenderedChart.render() : RenderedChart.render(ciValuesFile);
    }

    @Test
    void lintsWithoutWarnings() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void everySettingTheChartPassesIsOneTheApplicationKnows(String values) {
        RenderedChart chart = chart(values);

        List<String> names = chart.workloads().stream().flatMap(chart::env).map(EnvVar::name).distinct().toList();

        assertThat(names).isNotEmpty();
        assertThat(names).allSatisfy(name -> assertThat(keys.knowsEnvironmentVariable(name))
                .as("%s is not a setting of the application (renamed or misspelt?)", name).isTrue());
    }

    @Test
    void theConsoleIsOnWithAClientIdItsIssuerDefaultingToTheFirstTrustedOne() {
        RenderedChart production = chart("production-values.yaml");
        Map<String, Object> config = production.ofKind("ConfigMap").stream().map(map -> Yamls.map(map, "data"))
                .filter(data -> data.containsKey("ENSEMBLE_CONSOLE_CLIENT_ID")).findFirst().orElseThrow();
        assertThat(config).containsEntry("ENSEMBLE_CONSOLE_CLIENT_ID", "ensemble-console")
                .containsEntry("ENSEMBLE_CONSOLE_ISSUER", "https://login.example.com/realms/company");
        Map<String, Object> gateway = production.workloads("gateway").getFirst();
        assertThat(production.env(gateway).filter(e -> e.name().equals("ENSEMBLE_CONSOLE_CLIENT_SECRET")))
                .singleElement().satisfies(e -> assertThat(e.fromSecret()).isTrue());
        assertThat(chart("").ofKind("ConfigMap")).as("off by default")
                .noneMatch(map -> Yamls.map(map, "data").containsKey("ENSEMBLE_CONSOLE_CLIENT_ID"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void secretsComeOnlyFromExistingSecrets(String values) {
        RenderedChart chart = chart(values);

        assertThat(chart.ofKind("Secret")).as("the chart never carries secret values").isEmpty();
        for (Map<String, Object> configMap : chart.ofKind("ConfigMap")) {
            Yamls.map(configMap, "data").forEach((key, value) -> {
                assertThat(key).as("ConfigMap key").doesNotMatch(SECRET_NAME);
                assertThat(String.valueOf(value)).as("ConfigMap value of %s", key).doesNotMatch(SECRET_VALUE);
            });
        }
        List<EnvVar> secretLooking = chart.workloads().stream().flatMap(chart::env)
                .filter(env -> SECRET_NAME.matcher(env.name()).matches()).toList();
        assertThat(secretLooking).extracting(EnvVar::name).contains("SPRING_DATASOURCE_PASSWORD");
        assertThat(secretLooking).allSatisfy(env -> {
            assertThat(env.value()).as(env.name()).isNull();
            assertThat(env.fromSecret()).as("%s comes from a secretKeyRef", env.name()).isTrue();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void everyPodRunsAsNonRootOnAReadOnlyRootFilesystem(String values) {
        RenderedChart chart = chart(values);

        assertThat(chart.workloads()).isNotEmpty().allSatisfy(workload -> {
            String name = Yamls.string(workload, "metadata.name");
            Map<String, Object> pod = Yamls.map(workload, "spec.template.spec");
            assertThat(Yamls.find(pod, "securityContext.runAsNonRoot")).as(name).isEqualTo(true);
            assertThat((Integer) Yamls.find(pod, "securityContext.runAsUser")).as(name).isPositive();
            assertThat(Yamls.find(pod, "automountServiceAccountToken")).as(name).isEqualTo(false);
            assertThat(Yamls.list(pod, "volumes")).as(name)
                    .anySatisfy(volume -> assertThat(volume.get("name")).isEqualTo("tmp"))
                    .filteredOn(volume -> "tmp".equals(volume.get("name")))
                    .allSatisfy(volume -> assertThat(volume).containsKey("emptyDir"));
            assertThat(Yamls.list(pod, "containers")).allSatisfy(container -> {
                assertThat(Yamls.find(container, "securityContext.runAsNonRoot")).isEqualTo(true);
                assertThat(Yamls.find(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
                assertThat(Yamls.find(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
                assertThat(Yamls.list(container, "volumeMounts"))
                        .anySatisfy(mount -> assertThat(mount).containsEntry("name", "tmp").containsEntry("mountPath", "/tmp"));
            });
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void servingPodsHaveStartupLivenessAndReadinessProbes(String values) {
        RenderedChart chart = chart(values);
        int serverPort = (Integer) Yamls.find(applicationYaml(), "server.port");

        assertThat(chart.workloads("gateway")).hasSize(1);
        // The gateway on Spring Boot's probe groups; the workers (no Spring) on the worker server's own.
        Map<String, List<Map<String, Object>>> byPaths = Map.of("/actuator/health/", chart.workloads("gateway"),
                "/health/", chart.workloads("worker"));
        byPaths.forEach((prefix, workloads) -> assertThat(workloads).allSatisfy(workload ->
                assertThat(Yamls.list(workload, "spec.template.spec.containers")).allSatisfy(container -> {
                    assertThat(Yamls.list(container, "ports"))
                            .containsExactly(Map.of("name", "http", "containerPort", serverPort, "protocol", "TCP"));
                    String live = prefix.equals("/health/") ? "/health/live" : "/actuator/health/liveness";
                    String ready = prefix.equals("/health/") ? "/health/ready" : "/actuator/health/readiness";
                    assertThat(Yamls.string(container, "startupProbe.httpGet.path")).isEqualTo(live);
                    assertThat(Yamls.string(container, "livenessProbe.httpGet.path")).isEqualTo(live);
                    assertThat(Yamls.string(container, "readinessProbe.httpGet.path")).isEqualTo(ready);
                    Stream.of("startupProbe", "livenessProbe", "readinessProbe")
                            .forEach(probe -> assertThat(Yamls.string(container, probe + ".httpGet.port")).isEqualTo("http"));
                })));
        // The probe groups exist only when Spring Boot is told to expose them.
        assertThat(Yamls.find(applicationYaml(), "management.endpoint.health.probes.enabled")).isEqualTo(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void migrationsRunOnceInAHookJobAndNeverInTheReplicas(String values) {
        RenderedChart chart = chart(values);

        List<Map<String, Object>> jobs = chart.workloads("migration");
        assertThat(jobs).hasSize(1);
        Map<String, Object> job = jobs.getFirst();
        assertThat(job.get("kind")).isEqualTo("Job");
        assertThat(Yamls.string(job, "spec.template.spec.restartPolicy")).isEqualTo("Never");
        assertThat(chart.env(job)).extracting(EnvVar::name, EnvVar::value)
                .contains(org.assertj.core.groups.Tuple.tuple("ENSEMBLE_MIGRATE_ONLY", "true"),
                        org.assertj.core.groups.Tuple.tuple("SPRING_FLYWAY_ENABLED", "true"));
        // A hook runs before the release's ConfigMaps exist: nothing may come from them.
        assertThat(Yamls.list(job, "spec.template.spec.containers").getFirst()).doesNotContainKey("envFrom");
        assertThat(image(job)).isEqualTo(image(chart.workloads("gateway").getFirst()));

        for (Map<String, Object> replicas : chart.workloads("gateway")) {
            assertThat(chart.env(replicas).filter(env -> env.name().equals("SPRING_FLYWAY_ENABLED")))
                    .extracting(EnvVar::value).containsExactly("false");
            assertThat(chart.env(replicas)).noneMatch(env -> env.name().equals("ENSEMBLE_MIGRATE_ONLY"));
        }
        // Inference workers run the engine alone: no database, no issuer, nothing from the gateway's ConfigMaps.
        for (Map<String, Object> worker : chart.workloads("worker")) {
            assertThat(container(worker)).doesNotContainKey("envFrom");
            assertThat(chart.env(worker)).extracting(EnvVar::name)
                    .noneMatch(name -> name.startsWith("SPRING_") || name.startsWith("ENSEMBLE_SECURITY_")
                            || name.equals("ENSEMBLE_MIGRATE_ONLY") || name.startsWith("ENSEMBLE_EXPERTS_"));
        }
    }

    @Test
    void migrationJobIsAPreInstallAndPreUpgradeHook() throws Exception {
        // Helm moves objects with a valid hook annotation out of the manifest (helm-java shows only
        // the manifest); the annotation's events are read from the template itself.
        assertThat(RenderedChart.renderAsInstalled().workloads("migration")).isEmpty();
        assertThat(RenderedChart.render().workloads("migration")).hasSize(1);
        assertThat(Files.readString(RenderedChart.CHART.resolve("templates/migration-job.yaml")))
                .contains("helm.sh/hook: pre-install,pre-upgrade\n")
                .contains("helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production-values.yaml", "gpu-workers-values.yaml"})
    void onlyWorkersAskForGpus(String values) {
        RenderedChart chart = chart(values);

        for (Map<String, Object> workload : chart.workloads()) {
            boolean worker = chart.workloads("worker").contains(workload);
            for (Map<String, Object> container : Yamls.list(workload, "spec.template.spec.containers")) {
                Object gpus = Yamls.find(container, "resources.limits.nvidia\\.com/gpu");
                if (worker) {
                    assertThat(gpus).as("GPU limit of %s", Yamls.string(workload, "metadata.name")).isInstanceOf(Integer.class);
                } else {
                    assertThat(Yamls.mapsWithKey(workload, "nvidia.com/gpu")).as(Yamls.string(workload, "metadata.name")).isEmpty();
                }
            }
        }
    }

    @Test
    void defaultsRenderOnlyTheGatewayWithoutOptionalObjects() {
        RenderedChart chart = RenderedChart.render();

        assertThat(chart.workloads("worker")).isEmpty();
        assertThat(chart.all()).extracting(o -> o.get("kind"))
                .doesNotContain("Ingress", "HorizontalPodAutoscaler", "ServiceMonitor", "NetworkPolicy", "StatefulSet");
        Map<String, Object> gateway = chart.workloads("gateway").getFirst();
        assertThat(Yamls.find(gateway, "spec.replicas")).isEqualTo(2);
        assertThat(chart.ofKind("PodDisruptionBudget")).hasSize(1);
        assertThat(chart.one("ServiceAccount", "ens-ensemble").get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(Yamls.list(gateway, "spec.template.spec.topologySpreadConstraints"))
                .extracting(c -> c.get("topologyKey")).containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        assertServiceSelects(chart, chart.one("Service", "ens-ensemble"), gateway);
    }

    @Test
    void productionValuesAddIngressTlsAutoscalingMonitoringAndNetworkPolicies() {
        RenderedChart chart = RenderedChart.render("production-values.yaml");
        Map<String, Object> gateway = chart.workloads("gateway").getFirst();

        assertThat(Yamls.find(gateway, "spec.replicas")).as("the HPA owns the replica count").isNull();
        Map<String, Object> hpa = chart.one("HorizontalPodAutoscaler", "ens-ensemble-gateway");
        assertThat(Yamls.string(hpa, "spec.scaleTargetRef.name")).isEqualTo(Yamls.string(gateway, "metadata.name"));
        assertThat(Yamls.list(hpa, "spec.metrics")).extracting(m -> m.get("type")).containsExactly("Resource", "Pods");
        assertThat(Yamls.string(hpa, "spec.metrics")).contains("cpu", "http_server_requests_active_seconds_gcount");

        Map<String, Object> ingress = chart.one("Ingress", "ens-ensemble");
        assertThat(Yamls.list(ingress, "spec.tls")).singleElement().satisfies(tls -> {
            assertThat(tls.get("secretName")).isEqualTo("ai-example-com-tls");
            assertThat(tls.get("hosts")).isEqualTo(List.of("ai.example.com"));
        });
        assertThat(Yamls.string(ingress, "spec.rules")).contains("ens-ensemble");

        Map<String, Object> monitor = chart.one("ServiceMonitor", "ens-ensemble");
        assertThat(Yamls.list(monitor, "spec.endpoints")).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("port", "http").containsEntry("path", "/actuator/prometheus"));
        assertThat(Yamls.map(chart.one("Service", "ens-ensemble"), "metadata.labels"))
                .as("the ServiceMonitor selects the gateway's Service").containsAllEntriesOf(Yamls.map(monitor, "spec.selector.matchLabels"));

        Map<String, Object> policy = chart.one("NetworkPolicy", "ens-ensemble-gateway");
        assertThat(Yamls.map(gateway, "spec.template.metadata.labels")).containsAllEntriesOf(Yamls.map(policy, "spec.podSelector.matchLabels"));
        assertThat(Yamls.find(policy, "spec.policyTypes")).isEqualTo(List.of("Ingress", "Egress"));

        Map<String, Object> pdb = chart.one("PodDisruptionBudget", "ens-ensemble-gateway");
        assertThat(Yamls.map(gateway, "spec.template.metadata.labels")).containsAllEntriesOf(Yamls.map(pdb, "spec.selector.matchLabels"));

        // The owner's credentials migrate, the application role serves.
        assertThat(secretNames(chart, chart.workloads("migration").getFirst())).containsExactly("ensemble-db-owner");
        assertThat(secretNames(chart, gateway)).contains("ensemble-db-app", "vllm-api-key", "ensemble-oidc").doesNotContain("ensemble-db-owner");
    }

    @Test
    void dashboardConfigMapCarriesTheDashboardFile() throws Exception {
        RenderedChart chart = RenderedChart.render("production-values.yaml");

        Map<String, Object> dashboard = chart.one("ConfigMap", "ens-ensemble-dashboard");
        assertThat(Yamls.string(dashboard, "data.ensemble\\.json"))
                .isEqualTo(Files.readString(RenderedChart.CHART.resolve("dashboards/ensemble.json")).strip());
        assertThat(Yamls.string(dashboard, "metadata.labels.grafana_dashboard")).isEqualTo("1");
    }

    @Test
    void dashboardChartsTheEngineAndExpertMetricsEachQueryFilteredToTheNamespace() {
        JsonNode dashboard = DashboardQueries.dashboard();

        assertThat(DashboardQueries.metrics(dashboard)).contains("ensemble_tokens_total", "ensemble_engine_waiting",
                "ensemble_engine_running", "ensemble_engine_kv_blocks_used", "ensemble_engine_kv_blocks",
                "ensemble_time_to_first_token_seconds_bucket", "ensemble_expert_call_seconds_bucket",
                "ensemble_expert_retries_total", "ensemble_engine_preemptions_total");
        List<JsonNode> panels = new java.util.ArrayList<>();
        dashboard.get("panels").forEach(panels::add);
        assertThat(panels).extracting(panel -> panel.get("id").asInt()).doesNotHaveDuplicates();
        assertThat(panels).allSatisfy(panel -> {
            List<String> queries = DashboardQueries.expressions(panel);
            assertThat(queries).as("queries of panel '%s'", panel.get("title").asString()).isNotEmpty();
            for (String query : queries) {
                assertThat(DashboardQueries.metrics(query)).as(query).isNotEmpty()
                        .allSatisfy(metric -> assertThat(query).as("every selector of %s filters to $namespace", metric)
                                .doesNotContainPattern("\\b" + metric + "\\b(?!\\{namespace=\"\\$namespace\")"));
            }
        });
        // panels tile the 24-column grid without overlapping
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                JsonNode a = panels.get(i).get("gridPos");
                JsonNode b = panels.get(j).get("gridPos");
                boolean apart = a.get("x").asInt() + a.get("w").asInt() <= b.get("x").asInt()
                        || b.get("x").asInt() + b.get("w").asInt() <= a.get("x").asInt()
                        || a.get("y").asInt() + a.get("h").asInt() <= b.get("y").asInt()
                        || b.get("y").asInt() + b.get("h").asInt() <= a.get("y").asInt();
                assertThat(apart).as("panels %s and %s overlap", panels.get(i).get("id"), panels.get(j).get("id")).isTrue();
            }
        }
    }

    @Test
    void tracingExportsOnlyWhereACollectorIsNamed() {
        Map<String, Object> defaults = RenderedChart.render().one("ConfigMap", "ens-ensemble-config");
        Map<String, Object> production = RenderedChart.render("production-values.yaml").one("ConfigMap", "ens-ensemble-config");

        assertThat(Yamls.map(defaults, "data")).doesNotContainKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT")
                .containsEntry("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "0.1");
        assertThat(Yamls.map(production, "data"))
                .containsEntry("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", "http://otel-collector.monitoring:4318/v1/traces");
        assertThat(keys.knowsEnvironmentVariable("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT")).isTrue();
    }

    @Test
    void workersExportTheirSpansToTheGatewaysCollector() {
        RenderedChart withoutCollector = RenderedChart.render("gpu-workers-values.yaml");
        RenderedChart withCollector = RenderedChart.render("production-values.yaml", "gpu-workers-values.yaml");

        assertThat(withoutCollector.workloads("worker")).isNotEmpty().allSatisfy(worker ->
                assertThat(env(withoutCollector, worker)).doesNotContainKey("ENSEMBLE_WORKER_OTLP_ENDPOINT"));
        String gatewayEndpoint = Yamls.string(withCollector.one("ConfigMap", "ens-ensemble-config"),
                "data.MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
        assertThat(gatewayEndpoint).isEqualTo("http://otel-collector.monitoring:4318/v1/traces");
        assertThat(withCollector.workloads("worker")).hasSize(2).allSatisfy(worker ->
                assertThat(env(withCollector, worker)).containsEntry("ENSEMBLE_WORKER_OTLP_ENDPOINT", gatewayEndpoint));
        assertThat(keys.knowsEnvironmentVariable("ENSEMBLE_WORKER_OTLP_ENDPOINT")).isTrue();
    }

    @Test
    void readsTheMetricNamesOutOfPromQl() {
        assertThat(DashboardQueries.metrics("histogram_quantile(0.95, sum by (le, expert) (rate(a_seconds_bucket{namespace=\"x\",le=~\"1.*\"}[5m])))"))
                .containsExactly("a_seconds_bucket");
        assertThat(DashboardQueries.metrics("sum by (expert) (b_used) / sum without (pod) (c_total{x=\"by(y)\"}) > bool 0"))
                .containsExactly("b_used", "c_total");
        assertThat(DashboardQueries.metrics("sum(increase(d_total[1h])) or on (pod) vector(0)")).containsExactly("d_total");
    }

    @Test
    void gpuWorkersGetTheirModelsGpusNodesAndModelVolume() {
        RenderedChart chart = RenderedChart.render("gpu-workers-values.yaml");

        List<Map<String, Object>> workers = chart.workloads("worker");
        assertThat(workers).extracting(w -> Yamls.string(w, "metadata.name"), w -> w.get("kind"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ens-ensemble-worker-llama-8b", "StatefulSet"),
                        org.assertj.core.groups.Tuple.tuple("ens-ensemble-worker-llama-70b", "StatefulSet"));
        Map<String, Object> small = workers.get(0);
        Map<String, Object> large = workers.get(1);
        assertThat(Yamls.find(container(small), "resources.limits.nvidia\\.com/gpu")).isEqualTo(1);
        assertThat(Yamls.find(container(large), "resources.limits.nvidia\\.com/gpu")).isEqualTo(4);
        assertThat(Yamls.string(container(large), "resources.limits.memory")).isEqualTo("128Gi");
        assertThat(Yamls.find(small, "spec.replicas")).isEqualTo(2);
        assertThat(env(chart, small)).containsEntry("ENSEMBLE_ROLE", "inference-worker")
                .containsEntry("ENSEMBLE_WORKER_MODEL", "/models/Llama-3.1-8B-Instruct-Q8_0.gguf")
                .containsEntry("ENSEMBLE_WORKER_PORT", "8080")
                .containsEntry("ENSEMBLE_ENGINE_BACKEND", "cuda")
                .containsEntry("ENSEMBLE_ENGINE_MAX_WAITING", "32");
        assertThat(env(chart, large)).containsEntry("ENSEMBLE_WORKER_MODEL", "/models/Llama-3.1-70B-Instruct")
                .doesNotContainKey("ENSEMBLE_ENGINE_MAX_WAITING");
        // Gateway and workers share the token secret from one existing Secret.
        for (Map<String, Object> workload : List.of(small, large, chart.workloads("gateway").getFirst())) {
            assertThat(chart.env(workload).filter(e -> e.name().equals("ENSEMBLE_WORKER_TOKEN_SECRET")))
                    .singleElement().satisfies(e -> assertThat(e.fromSecret()).isTrue());
            assertThat(Yamls.string(container(workload), "env")).contains("name=ensemble-worker-token", "key=token-secret");
        }
        // The gateway gets a worker expert per model: each StatefulSet pod by its DNS name under the headless Service.
        Map<String, Object> gatewayConfig = Yamls.map(chart.one("ConfigMap", "ens-ensemble-gateway"), "data");
        assertThat(gatewayConfig).containsEntry("ENSEMBLE_ROLE", "gateway")
                .containsEntry("ENSEMBLE_EXPERTS_0_ID", "llama-8b").containsEntry("ENSEMBLE_EXPERTS_0_TYPE", "worker")
                .containsEntry("ENSEMBLE_EXPERTS_0_BASE_URL", "http://ens-ensemble-worker-llama-8b-0.ens-ensemble-worker-llama-8b.ai.svc:8080,"
                        + "http://ens-ensemble-worker-llama-8b-1.ens-ensemble-worker-llama-8b.ai.svc:8080")
                .containsEntry("ENSEMBLE_EXPERTS_0_CONTEXT_LENGTH", "8192")
                .containsEntry("ENSEMBLE_EXPERTS_1_ID", "llama-3.1-70b").containsEntry("ENSEMBLE_EXPERTS_1_TYPE", "worker")
                .containsEntry("ENSEMBLE_EXPERTS_1_BASE_URL", "http://ens-ensemble-worker-llama-70b-0.ens-ensemble-worker-llama-70b.ai.svc:8080")
                .doesNotContainKey("ENSEMBLE_EXPERTS_2_ID");
        assertThat(Yamls.string(chart.one("Service", "ens-ensemble-worker-llama-8b"), "spec.clusterIP")).isEqualTo("None");
        for (Map<String, Object> worker : workers) {
            Map<String, Object> pod = Yamls.map(worker, "spec.template.spec");
            assertThat(Yamls.map(pod, "nodeSelector")).containsEntry("nvidia.com/gpu.present", "true");
            assertThat(Yamls.list(pod, "tolerations")).anySatisfy(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu"));
            assertThat(Yamls.list(pod, "volumes")).anySatisfy(v -> assertThat(Yamls.string(v, "persistentVolumeClaim.claimName")).isEqualTo("ensemble-models"));
            assertThat(Yamls.list(container(worker), "volumeMounts"))
                    .anySatisfy(m -> assertThat(m).containsEntry("mountPath", "/models").containsEntry("readOnly", true));
            assertServiceSelects(chart, chart.one("Service", Yamls.string(worker, "metadata.name")), worker);
        }
        // The gateway's NetworkPolicy lets it reach the workers; the workers' admits only the gateway.
        Map<String, Object> workerPolicy = chart.one("NetworkPolicy", "ens-ensemble-worker");
        assertThat(Yamls.string(workerPolicy, "spec.ingress")).contains("component=gateway");
    }

    @Test
    void prometheusScrapesTheWorkersOwnMetricsPage() {
        RenderedChart chart = RenderedChart.parse(new Helm(RenderedChart.CHART).template().withName("ens").withNamespace("ai")
                .withValuesFile(RenderedChart.CHART.resolve("ci/gpu-workers-values.yaml"))
                .set("metrics.serviceMonitor.enabled", true).set("migrations.helmHook", false).call());
        Map<String, Object> monitor = chart.one("ServiceMonitor", "ens-ensemble-worker");
        assertThat(Yamls.list(monitor, "spec.endpoints")).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics"));
        for (Map<String, Object> service : chart.ofKind("Service")) {
            boolean worker = Yamls.string(service, "metadata.name").startsWith("ens-ensemble-worker-");
            boolean selected = Yamls.map(service, "metadata.labels").entrySet()
                    .containsAll(Yamls.map(monitor, "spec.selector.matchLabels").entrySet());
            assertThat(selected).as(Yamls.string(service, "metadata.name")).isEqualTo(worker);
        }
    }

    @Test
    void refusesValuesThatCannotWork() {
        assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template().set("workers.enabled", true).call())
                .hasMessageContaining("workers.models");
        assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template()
                .withValuesFile(RenderedChart.CHART.resolve("ci/gpu-workers-values.yaml"))
                .set("workers.tokenSecret.existingSecret", "").call())
                .hasMessageContaining("workers.tokenSecret.existingSecret");
        assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template().set("oidc.issuers", "null").call())
                .hasMessageContaining("oidc.issuers");
        assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template().set("database.existingSecret", "").call())
                .hasMessageContaining("database.existingSecret");
        assertThatThrownBy(() -> new Helm(RenderedChart.CHART).template().set("extraEnv.SPRING_DATASOURCE_PASSWORD", "hunter2").call())
                .hasMessageContaining("extraEnv.SPRING_DATASOURCE_PASSWORD looks like a secret");
    }

    private static void assertServiceSelects(RenderedChart chart, Map<String, Object> service, Map<String, Object> workload) {
        assertThat(Yamls.map(service, "spec.selector")).isNotEmpty();
        assertThat(Yamls.map(workload, "spec.template.metadata.labels")).containsAllEntriesOf(Yamls.map(service, "spec.selector"));
        assertThat(Yamls.list(service, "spec.ports")).anySatisfy(p -> assertThat(p).containsEntry("targetPort", "http"));
    }

    private static Map<String, Object> container(Map<String, Object> workload) {
        return Yamls.list(workload, "spec.template.spec.containers").getFirst();
    }

    private static String image(Map<String, Object> workload) {
        return Yamls.string(container(workload), "image");
    }

    private static Map<String, String> env(RenderedChart chart, Map<String, Object> workload) {
        return chart.env(workload).filter(e -> e.value() != null)
                .collect(java.util.stream.Collectors.toMap(EnvVar::name, EnvVar::value, (a, b) -> b));
    }

    private static List<String> secretNames(RenderedChart chart, Map<String, Object> workload) {
        return chart.env(workload).filter(EnvVar::fromSecret)
                .map(e -> Yamls.string(e.valueFrom(), "secretKeyRef.name")).distinct().toList();
    }

    static Map<String, Object> applicationYaml() {
        try {
            return new Yaml().load(Files.readString(Path.of("src/main/resources/application.yml")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
