package dev.lethe.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestLmEvalCommandTest {

    @TempDir
    Path tmp;

    @Test
    void shouldPrintEveryElementWithTheHarnessValueAndPublishNothingWhenDryRunning() throws Exception {
        Path out = LmEvalFixture.write(tmp.resolve("out"));

        CliRun run = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "ct", "--family", "llama",
                "--model", "llama-7b", "--stage", "1", "--task", "eli5", "--dry-run", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(
                "element\tcrows-pairs-age\tbias\tmetric=pct_stereotype\titems=4\tscore=75.00%\tharness=75.00%",
                "element\tgsm8k-flexible\tgenerative-flexible\tmetric=exact_match,flexible-extract\titems=3\tscore=66.67%\tharness=66.67%",
                "element\tgsm8k-strict\tgenerative\tmetric=exact_match,strict-match\titems=3\tscore=66.67%",
                "dry run: 3 shard results, suite lm-eval version ", "checkpoint ct/llama-7b/1 (nothing published)");
        assertThat(run.err()).doesNotContain("warning");
    }

    @Test
    void shouldExitWithUsageErrorNamingTheFlagWhenAValueIsBad() throws Exception {
        Path out = LmEvalFixture.write(tmp.resolve("out"));
        CliRun slash = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "a/b", "--family", "f", "--model", "m", "--stage", "0");
        CliRun noDir = CliRun.of("ingest", "lm-eval", "--samples", tmp.resolve("none").toString(), "--campaign", "c", "--family", "f",
                "--model", "m", "--stage", "0");
        CliRun shard = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "c", "--family", "f", "--model", "m",
                "--stage", "0", "--shard-size", "0");

        assertThat(slash.exit()).isEqualTo(2);
        assertThat(slash.err()).contains("--campaign");
        assertThat(noDir.exit()).isEqualTo(2);
        assertThat(noDir.err()).contains("--samples");
        assertThat(shard.exit()).isEqualTo(2);
        assertThat(shard.err()).contains("--shard-size");
        // the transaction --timeout bounds must stay under the brokers' transaction.max.timeout.ms
        CliRun timeout = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "c", "--family", "f", "--model", "m",
                "--stage", "0", "--timeout", "601");
        assertThat(timeout.exit()).isEqualTo(2);
        assertThat(timeout.err()).contains("--timeout must be 1 to 600 seconds");
        // a name the aggregator would refuse after the plan announced its element
        CliRun longName = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "c", "--family", "f",
                "--model", "m".repeat(1001), "--stage", "0");
        assertThat(longName.exit()).isEqualTo(2);
        assertThat(longName.err()).contains("--model must be at most 1000 characters");
    }
}
