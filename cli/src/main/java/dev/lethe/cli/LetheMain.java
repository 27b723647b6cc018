package dev.lethe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lethe} command: one subcommand per Lethe part. Exit codes: 0 ok, 1 failure, 2 usage.
 */
@Command(
        name = "lethe",
        mixinStandardHelpOptions = true,
        versionProvider = LetheVersion.class,
        description = "Live catastrophic-forgetting metrics for continual fine-tuning campaigns, on Apache Kafka.",
        subcommands = {
            CommandLine.HelpCommand.class,
            dev.lethe.cli.train.TrainCommand.class,
            dev.lethe.cli.aggregator.MetricsCommand.class,
            dev.lethe.cli.aggregator.AggregateCommand.class,
            dev.lethe.cli.broker.BrokerCommand.class,
            dev.lethe.cli.broker.RegistryCommand.class,
            dev.lethe.cli.publish.PublishCommand.class,
            dev.lethe.cli.evaluate.EvaluateCommand.class,
            dev.lethe.cli.sink.SinkCommand.class,
            dev.lethe.cli.sink.SinkCommand.Dashboard.class,
            dev.lethe.cli.demo.DemoCommand.class,
            dev.lethe.cli.suite.SuiteCommand.class,
            dev.lethe.cli.ingest.IngestCommand.class,
            dev.lethe.cli.bench.BenchCommand.class,
        })
public final class LetheMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static final int USAGE_WIDTH = 120;

    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new LetheMain());
        cmd.setExitCodeExceptionMapper(ExitCodes::forException);
        cmd.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        // the descriptions are written as lines of up to 110 characters; at picocli's default 80 each would wrap
        cmd.setUsageHelpWidth(USAGE_WIDTH);
        return cmd;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
