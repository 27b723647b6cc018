package dev.lethe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** The real {@code lethe} command run in this JVM, with its exit code and what it printed: how CLI tests call it. */
public record CliRun(int exit, String out, String err) {

    public static CliRun of(String... args) {
        CommandLine cmd = LetheMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    public static CliRun of(List<String> args) {
        return of(args.toArray(String[]::new));
    }
}
