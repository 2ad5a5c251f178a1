package ai.ensemble.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every configuration key the application knows, from where it is really declared or read:
 * <ul>
 *   <li>Ensemble's {@code @ConfigurationProperties} records (by reflection, nested records and
 *       lists of them included), so renaming a record component renames the key;</li>
 *   <li>keys read directly in {@code src/main/java}: {@code @Value("${...}")},
 *       {@code environment.getProperty/containsProperty("...")}, {@code @Conditional...Property};</li>
 *   <li>the keys set in {@code src/main/resources/application*.yml};</li>
 *   <li>Spring Boot's own keys, from the configuration metadata in its jars.</li>
 * </ul>
 * Keys are patterns: {@code [*]} stands for a list index, a trailing {@code .*} for map keys.
 * {@link #knowsEnvironmentVariable} applies Spring Boot's relaxed binding for environment
 * variables (upper case, {@code _} for dots and indices, dashes removed or turned into {@code _}).
 */
final class ConfigurationKeys {

    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    private static final Path MAIN_RESOURCES = Path.of("src/main/resources");
    private static final Pattern KEY_READ_IN_CODE = Pattern.compile(
            "(?:@Value\\(\"\\$\\{|environment\\.(?:getProperty|containsProperty)\\(\"|@Conditional\\w*Property\\(\\s*(?:(?:name|value)\\s*=\\s*)?\")"
                    + "([a-z][a-z0-9.\\-]*)");

    private static final Pattern VARIABLE_READ_IN_CODE = Pattern.compile(
            "(?:env\\.(?:get|getOrDefault)\\(|integer\\(env, )\"(ENSEMBLE_[A-Z0-9_]+)\"");

    private static volatile ConfigurationKeys application;

    private final Set<String> keys;
    private final List<Pattern> environmentNames;

    ConfigurationKeys(Collection<String> keys) {
        this.keys = Collections.unmodifiableSet(new TreeSet<>(keys));
        this.environmentNames = this.keys.stream().map(ConfigurationKeys::environmentPattern).toList();
    }

    /** The application's keys, collected once. */
    static ConfigurationKeys ofApplication() {
        if (application == null) {
            List<String> keys = new ArrayList<>();
            keys.addAll(fromConfigurationPropertiesRecords());
            keys.addAll(readInCode());
            keys.addAll(inApplicationYaml());
            keys.addAll(springBootMetadata());
            application = new ConfigurationKeys(keys);
        }
        return application;
    }

    Set<String> keys() {
        return keys;
    }

    boolean knowsEnvironmentVariable(String name) {
        return environmentNames.stream().anyMatch(pattern -> pattern.matcher(name).matches());
    }

    /** A property name as written in YAML or on the command line, e.g. {@code ensemble.experts[0].base-url}. */
    boolean knowsProperty(String name) {
        return knowsEnvironmentVariable(name.toUpperCase().replaceAll("[.\\[\\]]+", "_").replaceAll("_$", "").replace('-', '_'));
    }

    private static Pattern environmentPattern(String key) {
        StringBuilder regex = new StringBuilder();
        String[] segments = key.replace("[*]", ".[*]").split("\\.");
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (i > 0) {
                regex.append('_');
            }
            if (segment.equals("[*]")) {
                regex.append("[0-9]+");
            } else if (segment.equals("*")) {
                regex.append("[A-Z0-9_]+");
            } else {
                for (char c : segment.toCharArray()) {
                    regex.append(c == '-' ? "_?" : Pattern.quote(String.valueOf(Character.toUpperCase(c))));
                }
            }
        }
        return Pattern.compile(regex.toString());
    }

    // --- @ConfigurationProperties records

    static List<String> fromConfigurationPropertiesRecords() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<String> keys = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("ai.ensemble")) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), ConfigurationKeys.class.getClassLoader());
            ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
            String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            collectProperties(prefix, type, keys);
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("no @ConfigurationProperties found under ai.ensemble");
        }
        return keys;
    }

    private static void collectProperties(String prefix, Class<?> type, List<String> keys) {
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                collect(prefix + "." + kebab(component.getName()), component.getGenericType(), keys);
            }
        } else {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    collect(prefix + "." + kebab(field.getName()), field.getGenericType(), keys);
                }
            }
        }
    }

    private static void collect(String key, Type type, List<String> keys) {
        Class<?> raw = rawClass(type);
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            Type element = raw.isArray() ? raw.getComponentType() : typeArgument(type, 0);
            keys.add(key);
            collect(key + "[*]", element, keys);
        } else if (Map.class.isAssignableFrom(raw)) {
            keys.add(key + ".*");
        } else if (isLeaf(raw)) {
            keys.add(key);
        } else {
            collectProperties(key, raw, keys);
        }
    }

    private static boolean isLeaf(Class<?> type) {
        return type.isPrimitive() || type.isEnum() || type.getName().startsWith("java.")
                || type.getName().startsWith("org.springframework.");
    }

    private static Class<?> rawClass(Type type) {
        return switch (type) {
            case Class<?> c -> c;
            case ParameterizedType p -> (Class<?>) p.getRawType();
            default -> Object.class;
        };
    }

    private static Type typeArgument(Type type, int index) {
        return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
    }

    private static String kebab(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    // --- keys read directly in code

    static List<String> readInCode() {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher matcher = KEY_READ_IN_CODE.matcher(source);
                while (matcher.find()) {
                    keys.add(matcher.group(1));
                }
                // The inference worker runs without Spring and reads its variables from the environment itself.
                Matcher variable = VARIABLE_READ_IN_CODE.matcher(source);
                while (variable.find()) {
                    keys.add(variable.group(1).toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    // --- application*.yml

    static List<String> inApplicationYaml() {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(MAIN_RESOURCES)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("application.*\\.ya?ml")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (Object document : new Yaml().loadAll(in)) {
                        flatten("", document, keys);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    private static void flatten(String prefix, Object node, List<String> keys) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> flatten(prefix.isEmpty() ? key.toString() : prefix + "." + key, value, keys));
        } else if (node instanceof List<?> list) {
            keys.add(prefix);
            list.forEach(element -> flatten(prefix + "[*]", element, keys));
        } else if (!prefix.isEmpty()) {
            keys.add(prefix);
        }
    }

    // --- Spring Boot's own keys

    static List<String> springBootMetadata() {
        JsonMapper json = JsonMapper.builder().build();
        List<String> keys = new ArrayList<>();
        try {
            ClassLoader loader = ConfigurationKeys.class.getClassLoader();
            for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                    "META-INF/additional-spring-configuration-metadata.json")) {
                for (URL url : Collections.list(loader.getResources(resource))) {
                    try (InputStream in = url.openStream()) {
                        for (JsonNode property : json.readTree(in).path("properties")) {
                            String name = property.path("name").asString();
                            String type = property.path("type").asString("");
                            keys.add(name);
                            if (type.startsWith("java.util.Map<")) {
                                keys.add(name + ".*");
                            } else if (type.startsWith("java.util.List<") || type.startsWith("java.util.Set<") || type.endsWith("[]")) {
                                keys.add(name + "[*]");
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
