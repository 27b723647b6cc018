package dev.lethe.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The exit-code contract of every subcommand: 0 ok, 1 failure, 2 usage (bad flag or value). */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private ExitCodes() {
    }

    static int forException(Throwable t) {
        return t instanceof UsageException || t instanceof CommandLine.ParameterException ? USAGE : FAILURE;
    }

    /** Prints one clear line instead of a stack trace; usage errors get exit 2, the rest 1. */
    static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
        cmd.getErr().println(cmd.getColorScheme().errorText("lethe " + cmd.getCommandName() + ": " + e.getMessage()));
        if (!(e instanceof UsageException)) {
            org.slf4j.LoggerFactory.getLogger(ExitCodes.class).debug("command failed", e);
        }
        return forException(e);
    }
}
