package dev.lethe.cli.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import org.junit.jupiter.api.Test;

class SinkCommandTest {

    @Test
    void shouldListEverySinkWhenAskedForHelp() {
        CliRun r = CliRun.of("sink", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("console", "jsonl", "prometheus", "webhook", "alertmanager", "dashboard", "report");
        CliRun top = CliRun.of("--help");
        assertThat(top.out()).contains("dashboard");
    }

    @Test
    void shouldExitWithUsageNamingTheFlagWhenAValueIsBad() {
        CliRun port = CliRun.of("sink", "prometheus", "--port", "70000");
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).contains("--port");

        CliRun url = CliRun.of("sink", "webhook", "--url", "ftp://example.org/hook");
        assertThat(url.exit()).isEqualTo(2);
        assertThat(url.err()).contains("--url");

        CliRun attempts = CliRun.of("sink", "webhook", "--url", "http://127.0.0.1:1/hook", "--max-attempts", "0");
        assertThat(attempts.exit()).isEqualTo(2);
        assertThat(attempts.err()).contains("--max-attempts");

        CliRun from = CliRun.of("sink", "jsonl", "--from", "LATEST");
        assertThat(from.exit()).isEqualTo(2);
        assertThat(from.err()).contains("--from");

        CliRun resend = CliRun.of("sink", "alertmanager", "--url", "http://127.0.0.1:9093", "--resend-interval-ms", "5");
        assertThat(resend.exit()).isEqualTo(2);
        assertThat(resend.err()).contains("--resend-interval-ms");

        CliRun manager = CliRun.of("sink", "alertmanager", "--url", "http://127.0.0.1:9093,file:///tmp/x");
        assertThat(manager.exit()).isEqualTo(2);
        assertThat(manager.err()).contains("--url");

        CliRun open = CliRun.of("dashboard", "--bind", "0.0.0.0");
        assertThat(open.exit()).isEqualTo(2);
        assertThat(open.err()).contains("--bind").contains("--token");

        CliRun missing = CliRun.of("sink", "webhook");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--url");
    }
}
