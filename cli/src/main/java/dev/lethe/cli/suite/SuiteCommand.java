package dev.lethe.cli.suite;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lethe suite}: manages benchmark suites on disk (today: {@code import} of MMLU, ARC-Challenge, BoolQ for LLM checkpoints). */
@Command(name = "suite", mixinStandardHelpOptions = true,
        description = "Benchmark suites for LLM checkpoints (scored by the OPENAI_COMPLETIONS scorer).",
        subcommands = {SuiteImportCommand.class})
public final class SuiteCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
