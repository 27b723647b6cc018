package dev.lethe.cli.ingest;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lethe ingest}: brings scores computed elsewhere into Lethe (today: lm-evaluation-harness sample logs). */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish per-item results computed by another tool as Lethe shard results.",
        subcommands = {IngestLmEvalCommand.class})
public final class IngestCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
