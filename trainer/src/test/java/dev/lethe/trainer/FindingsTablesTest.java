package dev.lethe.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * docs/findings_tables.py is the statistics behind docs/FINDINGS.md: its own tests pass with the plain python3
 * of the build machine, and every line it prints from the committed per-seed runs (docs/findings-runs) is in
 * FINDINGS.md, so the page cannot drift from its data.
 */
class FindingsTablesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static String python(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("python3 %s:%n%s", args, out).isZero();
        return out;
    }

    @org.junit.jupiter.api.Test
    void shouldPassTheStatisticsTestsWhenRunWithPlainPython() throws Exception {
        String out = python("docs/test_findings_tables.py");

        assertThat(out).contains("OK");
    }

    @org.junit.jupiter.api.Test
    void shouldFindEveryRegeneratedLineInFindingsWhenPrintingTheTablesFromTheCommittedRuns() throws Exception {
        String tables = python("docs/findings_tables.py", "docs/findings-runs");
        String findings = Files.readString(ROOT.resolve("docs/FINDINGS.md"), StandardCharsets.UTF_8);

        List<String> lines = tables.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(20);
        assertThat(lines).allSatisfy(line -> assertThat(findings).contains(line));
    }
}
