package ai.ensemble.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/** The Dockerfile (no Docker engine here, so it is checked as text) against the app, the chart and compose. */
class DockerfileTest {

    private final List<Instruction> instructions = instructions(read(Path.of("Dockerfile")));
    private final List<Instruction> runtimeStage = instructions.subList(lastIndexOf("FROM"), instructions.size());

    @Test
    void buildsInOneStageAndRunsOnAJava25RuntimeImageInAnother() {
        List<Instruction> stages = instructions.stream().filter(i -> i.is("FROM")).toList();

        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        assertThat(stages.getFirst().arguments()).matches("\\S+:25\\S*jdk\\S* AS build");
        assertThat(runtimeStage.getFirst().arguments()).matches("\\S+:25\\S*-jre\\S*");
        assertThat(runtimeStage).anySatisfy(i -> assertThat(i.line()).startsWith("COPY --from=build "));
        assertThat(instructions.subList(0, lastIndexOf("FROM")))
                .anySatisfy(i -> assertThat(i.line()).startsWith("RUN").contains("./mvnw", "package"));
    }

    @Test
    void runsAsTheNonRootUserTheChartDeclares() {
        Instruction user = runtimeStage.stream().filter(i -> i.is("USER")).reduce((a, b) -> b).orElseThrow();
        int uid = Integer.parseInt(user.arguments().split(":")[0]);
        Map<String, Object> values = new Yaml().load(read(RenderedChart.CHART.resolve("values.yaml")));

        assertThat(uid).isPositive();
        assertThat(Yamls.find(values, "podSecurityContext.runAsUser")).isEqualTo(uid);
        assertThat(runtimeStage.indexOf(user)).as("USER comes before the entrypoint")
                .isLessThan(runtimeStage.indexOf(runtimeStage.stream().filter(i -> i.is("ENTRYPOINT")).findFirst().orElseThrow()));
    }

    @Test
    void exposesTheApplicationsServerPort() {
        int serverPort = (Integer) Yamls.find(HelmChartTest.applicationYaml(), "server.port");

        assertThat(runtimeStage.stream().filter(i -> i.is("EXPOSE")).map(Instruction::arguments)).containsExactly(String.valueOf(serverPort));
    }

    @Test
    void startsTheJarWithTheVectorApiAndAHeapSizedFromTheContainerLimit() {
        String entrypoint = runtimeStage.stream().filter(i -> i.is("ENTRYPOINT")).findFirst().orElseThrow().arguments();

        assertThat(entrypoint).startsWith("[\"java\"").contains("\"--add-modules\",\"jdk.incubator.vector\"",
                "\"-XX:MaxRAMPercentage=", "\"-jar\",\"/app/ensemble.jar\"");
    }

    @Test
    void buildContextLeavesOutBuildOutputAndTheDeveloperDatabase() {
        List<String> ignored = read(Path.of(".dockerignore")).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertThat(ignored).contains("target", "data", "models");
        assertThat(ignored).doesNotContain("src", "db", "mvnw", ".mvn", "pom.xml");
    }

    /** One instruction, continuation lines joined. */
    record Instruction(String line) {

        boolean is(String keyword) {
            return line.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1);
        }

        String arguments() {
            return line.substring(line.indexOf(' ') + 1).strip();
        }
    }

    private int lastIndexOf(String keyword) {
        for (int i = instructions.size() - 1; i >= 0; i--) {
            if (instructions.get(i).is(keyword)) {
                return i;
            }
        }
        throw new AssertionError("no " + keyword + " in the Dockerfile");
    }

    private static List<Instruction> instructions(String dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : dockerfile.lines().toList()) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1).strip() + " " : line);
            if (!continues) {
                instructions.add(new Instruction(current.toString().strip()));
                current.setLength(0);
            }
        }
        return instructions;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
