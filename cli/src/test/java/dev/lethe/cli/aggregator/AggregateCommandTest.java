package dev.lethe.cli.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.LetheMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AggregateCommandTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cmd = LetheMain.commandLine();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
    }

    @Test
    void shouldExitTwoNamingTheOptionWhenASettingIsInvalid() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "aggregate", "--http-port", "70000", "--no-create-topics")).isEqualTo(2);
        assertThat(err.toString()).contains("--http-port");

        StringWriter badId = new StringWriter();
        assertThat(run(badId, "aggregate", "--application-id", "has space", "--no-create-topics")).isEqualTo(2);
        assertThat(badId.toString()).contains("--application-id");

        StringWriter badAlpha = new StringWriter();
        assertThat(run(badAlpha, "aggregate", "--alpha", "0", "--no-create-topics")).isEqualTo(2);
        assertThat(badAlpha.toString()).contains("--alpha");
    }

    @Test
    void shouldListTheThresholdOptionsWhenAskedForHelp() {
        StringWriter out = new StringWriter();
        CommandLine cmd = LetheMain.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        assertThat(cmd.execute("aggregate", "--help")).isZero();
        assertThat(out.toString()).contains("--state-dir", "--http-port", "--min-drop-pp", "--max-fg-pct", "--bootstrap-servers");
    }
}
