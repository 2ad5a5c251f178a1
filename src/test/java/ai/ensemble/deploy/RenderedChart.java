package ai.ensemble.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The objects that {@code helm template} renders from {@code helm/ensemble} with some values files
 * (real Helm, through helm-java), parsed as YAML. Renderings are kept per values files: the
 * chart does not change while the tests run.
 * <p>
 * helm-java returns the release manifest without its hooks, so {@link #render} also sets
 * {@code migrations.helmHook=false} to see the migration Job as a plain object;
 * {@link #renderAsInstalled} keeps the hook, which Helm then takes out of the manifest.
 */
final class RenderedChart {

    static final Path CHART = Path.of("helm/ensemble");
    static final String RELEASE = "ens";

    private static final Map<List<String>, RenderedChart> RENDERED = new ConcurrentHashMap<>();

    private final List<Map<String, Object>> objects;

    private RenderedChart(List<Map<String, Object>> objects) {
        this.objects = objects;
    }

    /** The chart with its defaults plus {@code ci/<name>} for each name, in order; hooks as plain objects. */
    static RenderedChart render(String... ciValuesFiles) {
        return RENDERED.computeIfAbsent(List.of(ciValuesFiles), files -> parse(
                template(files).set("migrations.helmHook", false).call()));
    }

    /** The release manifest as {@code helm install} applies it: hooks are not part of it. */
    static RenderedChart renderAsInstalled(String... ciValuesFiles) {
        return parse(template(List.of(ciValuesFiles)).call());
    }

    private static TemplateCommand template(List<String> ciValuesFiles) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace("ai");
        for (String file : ciValuesFiles) {
            template = template.withValuesFile(CHART.resolve("ci").resolve(file));
        }
        return template;
    }

    @SuppressWarnings("unchecked")
    static RenderedChart parse(String manifests) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : yaml.loadAll(manifests)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return new RenderedChart(List.copyOf(objects));
    }

    List<Map<String, Object>> all() {
        return objects;
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Map<String, Object> one(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(Yamls.string(o, "metadata.name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " among " + names()));
    }

    boolean has(String kind, String name) {
        return objects.stream().anyMatch(o -> kind.equals(o.get("kind")) && name.equals(Yamls.string(o, "metadata.name")));
    }

    /** Deployments, StatefulSets, Jobs and the like: every object with a pod template. */
    List<Map<String, Object>> workloads() {
        return objects.stream().filter(o -> Yamls.find(o, "spec.template.spec") != null).toList();
    }

    /** Workloads whose pods have this {@code app.kubernetes.io/component}. */
    List<Map<String, Object>> workloads(String component) {
        return workloads().stream()
                .filter(o -> component.equals(Yamls.string(o, "spec.template.metadata.labels.app\\.kubernetes\\.io/component")))
                .toList();
    }

    /** Every environment variable a workload's containers get: name and value, or value source. */
    Stream<EnvVar> env(Map<String, Object> workload) {
        return Yamls.list(workload, "spec.template.spec.containers").stream().flatMap(container -> {
            Stream<EnvVar> inline = Yamls.list(container, "env").stream().map(EnvVar::of);
            Stream<EnvVar> fromConfigMaps = Yamls.list(container, "envFrom").stream()
                    .map(source -> Yamls.string(source, "configMapRef.name"))
                    .filter(Objects::nonNull)
                    .flatMap(name -> Yamls.map(one("ConfigMap", name), "data").entrySet().stream()
                            .map(e -> new EnvVar(e.getKey(), String.valueOf(e.getValue()), null)));
            return Stream.concat(fromConfigMaps, inline);
        });
    }

    private List<String> names() {
        return objects.stream().map(o -> o.get("kind") + "/" + Yamls.string(o, "metadata.name")).toList();
    }

    /** An environment variable: a literal value, or a {@code secretKeyRef}/other source. */
    record EnvVar(String name, String value, Map<String, Object> valueFrom) {

        static EnvVar of(Map<String, Object> entry) {
            Object value = entry.get("value");
            return new EnvVar((String) entry.get("name"), value == null ? null : value.toString(), Yamls.map(entry, "valueFrom"));
        }

        boolean fromSecret() {
            return valueFrom != null && valueFrom.containsKey("secretKeyRef");
        }
    }
}
