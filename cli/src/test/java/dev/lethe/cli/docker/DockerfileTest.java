package dev.lethe.cli.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps docker/Dockerfile in step with the cli module's build layout and the classes it names, without Docker. */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("..", "docker", "Dockerfile");
    private static final Path CLI_POM = Path.of("pom.xml");

    private static String dockerfile;
    private static List<String> runtimeStage;

    @BeforeAll
    static void read() throws IOException {
        dockerfile = Files.readString(DOCKERFILE);
        List<String> lines = Files.readAllLines(DOCKERFILE);
        int lastFrom = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        runtimeStage = new ArrayList<>(lines.subList(lastFrom, lines.size()));
    }

    @Test
    void shouldCopyTheJarTheCliModuleBuildsWhenPackaging() throws IOException {
        String pom = Files.readString(CLI_POM);
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = finalName.group(1) + ".jar";

        assertThat(pom).contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>")
                .contains("<classpathPrefix>lib/</classpathPrefix>");
        assertThat(runtimeStage).contains("COPY --from=build /src/cli/target/" + jar + " /opt/lethe/" + jar)
                .contains("COPY --from=build /src/cli/target/lib/ /opt/lethe/lib/");
        assertThat(runtimeStage).anyMatch(l -> l.startsWith("ENTRYPOINT [\"java\"") && l.contains("\"-jar\", \"/opt/lethe/" + jar + "\"]"));
    }

    @Test
    void shouldRunOnGlibcAsANonRootUserWithOneNativeThreadWhenStarted() {
        assertThat(runtimeStage.get(0)).startsWith("FROM eclipse-temurin:17-jre").doesNotContain("alpine");
        assertThat(runtimeStage).anyMatch(l -> l.matches("USER [a-z]+") && !l.equals("USER root"));
        assertThat(dockerfile).contains("OMP_NUM_THREADS=1").contains("-Djdk.serialFilter=!*")
                .contains("./mvnw -B -q -DskipTests package");
    }

    @Test
    void shouldNameNativeBindingClassesThatExistWhenWarmingTheJavaCppCache() throws Exception {
        Matcher warm = Pattern.compile("WarmNativeCache\\.java \\\\\\s+([\\w.$ ]+?) \\\\").matcher(dockerfile);
        assertThat(warm.find()).as("the WarmNativeCache step of the Dockerfile").isTrue();
        List<String> classes = List.of(warm.group(1).trim().split("\\s+"));
        assertThat(classes).hasSizeGreaterThanOrEqualTo(2);
        for (String name : classes) {
            // initialize=false: the class must exist (a DL4J upgrade may move it) without loading native code here
            assertThat(Class.forName(name, false, getClass().getClassLoader())).isNotNull();
        }
    }
}
