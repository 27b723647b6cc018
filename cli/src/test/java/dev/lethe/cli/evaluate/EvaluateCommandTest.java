package dev.lethe.cli.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.LetheMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvaluateCommandTest {

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        CommandLine cmd = LetheMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void shouldPrintTheSuiteManifestAndVersionWhenAskedForASuite() {
        Result r = run("evaluate", "--print-suite", "digits-cl", "--attribute", "dataset=digits", "--attribute", "protocol=permuted",
                "--attribute", "seed=7", "--attribute", "stages=2");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("lethe-suite-manifest 1\nsuite\tdigits-cl\nparams\tdataset=digits protocol=permuted seed=7 stages=2\n");
        assertThat(r.out()).contains("element\tdigits-clean-a\tdomain-knowledge\t", "element\tperm-2\ttask\t");
        assertThat(r.out()).containsPattern("version\t[0-9a-f]{64}\nshards\t20\n");
    }

    @Test
    void shouldExitWithUsageErrorNamingTheFlagWhenAValueIsBad() {
        Result scorer = run("evaluate", "--scorer", "gpu");
        Result workers = run("evaluate", "--workers", "-1");
        Result url = run("evaluate", "--allow-url", "file:/tmp/");
        Result suite = run("evaluate", "--print-suite", "nope-cl");

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
