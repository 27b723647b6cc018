package dev.lethe.cli.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import org.junit.jupiter.api.Test;

class EvaluateCommandTest {

    @Test
    void shouldPrintTheSuiteManifestAndVersionWhenAskedForASuite() {
        CliRun r = CliRun.of("evaluate", "--print-suite", "digits-cl", "--attribute", "dataset=digits", "--attribute", "protocol=permuted",
                "--attribute", "seed=7", "--attribute", "stages=2");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("lethe-suite-manifest 1\nsuite\tdigits-cl\nparams\tdataset=digits protocol=permuted seed=7 stages=2\n");
        assertThat(r.out()).contains("element\tdigits-clean-a\tdomain-knowledge\t", "element\tperm-2\ttask\t");
        assertThat(r.out()).containsPattern("version\t[0-9a-f]{64}\nshards\t20\n");
    }

    @Test
    void shouldExitWithUsageErrorNamingTheFlagWhenAValueIsBad() {
        CliRun scorer = CliRun.of("evaluate", "--scorer", "gpu");
        CliRun workers = CliRun.of("evaluate", "--workers", "-1");
        CliRun url = CliRun.of("evaluate", "--allow-url", "file:/tmp/");
        CliRun suite = CliRun.of("evaluate", "--print-suite", "nope-cl");

        assertThat(scorer.exit()).isEqualTo(2);
        assertThat(scorer.err()).contains("--scorer");
        assertThat(workers.exit()).isEqualTo(2);
        assertThat(workers.err()).contains("--workers");
        assertThat(url.exit()).isEqualTo(2);
        assertThat(url.err()).contains("--allow-url");
        assertThat(suite.exit()).isEqualTo(2);
        assertThat(suite.err()).contains("unknown suite 'nope-cl'");
    }
}
