package dev.lethe.cli.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.LetheMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SinkCommandTest {

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
    void shouldListEverySinkWhenAskedForHelp() {
        Result r = run("sink", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("console", "jsonl", "prometheus", "webhook", "report");
    }

    @Test
    void shouldExitWithUsageNamingTheFlagWhenAValueIsBad() {
        Result port = run("sink", "prometheus", "--port", "70000");
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).contains("--port");

        Result url = run("sink", "webhook", "--url", "ftp://example.org/hook");
        assertThat(url.exit()).isEqualTo(2);
        assertThat(url.err()).contains("--url");

        Result attempts = run("sink", "webhook", "--url", "http://127.0.0.1:1/hook", "--max-attempts", "0");
        assertThat(attempts.exit()).isEqualTo(2);
        assertThat(attempts.err()).contains("--max-attempts");

        Result from = run("sink", "jsonl", "--from", "LATEST");
        assertThat(from.exit()).isEqualTo(2);
        assertThat(from.err()).contains("--from");

        Result missing = run("sink", "webhook");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--url");
    }
}
