package ai.ensemble.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL of the chart's Grafana dashboard ({@code helm/ensemble/dashboards/ensemble.json}) and
 * the metric names it reads. A small reading of PromQL, enough for the dashboard: label matchers,
 * range selectors and {@code by (...)} lists are set aside, function calls and operators' keywords
 * skipped; every identifier left is a metric.
 */
public final class DashboardQueries {

    public static final Path DASHBOARD = Path.of("helm/ensemble/dashboards/ensemble.json");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset");

    private DashboardQueries() {
    }

    /** The dashboard file, parsed. */
    public static JsonNode dashboard() {
        try {
            return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every query of every panel, in order. */
    public static List<String> expressions(JsonNode dashboard) {
        return dashboard.findValues("expr").stream().map(JsonNode::asString).toList();
    }

    /** The metrics the whole dashboard reads: its panels' queries and its variables' {@code label_values(metric, label)}. */
    public static Set<String> metrics(JsonNode dashboard) {
        Set<String> metrics = new LinkedHashSet<>();
        expressions(dashboard).forEach(expr -> metrics.addAll(metrics(expr)));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher labelValues = LABEL_VALUES.matcher(variable.path("query").asString(""));
            if (labelValues.find()) {
                metrics.add(labelValues.group(1));
            }
        }
        return metrics;
    }

    /** The metric names one PromQL expression reads. */
    public static Set<String> metrics(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")   // string literals
                .replaceAll("\\{[^}]*}", " ")                              // label matchers
                .replaceAll("\\[[^]]*]", " ")                              // range selectors
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " "); // label lists
        Set<String> metrics = new LinkedHashSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String name = identifier.group();
            boolean call = bare.substring(identifier.end()).stripLeading().startsWith("(");
            boolean number = identifier.start() > 0 && Character.isDigit(bare.charAt(identifier.start() - 1));
            if (!call && !number && !KEYWORDS.contains(name)) {
                metrics.add(name);
            }
        }
        return metrics;
    }
}
