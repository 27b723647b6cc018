package dev.lethe.cli.suite;

import dev.lethe.cli.UsageException;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.suite.imported.ImportOptions;
import dev.lethe.evaluator.suite.imported.ImportedSuites;
import dev.lethe.evaluator.suite.imported.SuiteImporters;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lethe suite import mmlu|arc|boolq|gsm8k|crows-pairs|jsonl --from DIR --out DIR}: turns benchmark files into an imported suite
 * directory (suite definition + JSON Lines items with lm-evaluation-harness prompts) that the planner and workers
 * resolve by the directory's name under {@code --suite-dir}.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
            "Import a benchmark into a suite directory (created, or merged into: one element per benchmark name).",
            "",
            "  mmlu   test/<subject>_test.csv + dev/ + subject_categories.json -> mmlu-stem, mmlu-humanities,",
            "         mmlu-social-sciences, mmlu-other (domain-knowledge), k-shot from dev (default 5)",
            "  arc    arc_challenge_test.jsonl -> arc-challenge (reasoning), 0-shot",
            "  boolq  dev.jsonl -> boolq (reasoning), 0-shot",
            "  gsm8k  test.jsonl -> gsm8k-strict (generative) and gsm8k-flexible (generative-flexible): greedy",
            "         generation judged by exact match, k-shot (default 5; from train.jsonl if beside, else the first",
            "         k test problems, left out)",
            "  crows-pairs  crows_pairs_anonymized.csv -> crows-pairs-<bias type> (bias) x9, pct_stereotype:",
            "         the share of pairs where the more-stereotyping sentence is more likely; 50% is unbiased",
            "  jsonl  a multiple-choice JSONL file ({\"context\", \"choices\", \"gold\"} per line) as-is",
            "         -> element --benchmark NAME in --category CAT",
            "",
            "The suite id is the --out directory's name; run the evaluator with --suite-dir <its parent> and publish",
            "checkpoints with --format OPENAI_COMPLETIONS --suite <id>. Prints each element and the suite version.",
            ""})
public final class SuiteImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BENCHMARK", description = "mmlu, arc, boolq, gsm8k, crows-pairs or jsonl.")
    String benchmark;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "Folder (or file) holding the benchmark's files, e.g. ../shared/data/mmlu.")
    Path from;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Suite directory to write; its name is the suite id.")
    Path out;

    @Option(names = "--benchmark", paramLabel = "NAME", description = "jsonl only: the element's name, e.g. hellaswag.")
    String benchmarkName;

    @Option(names = "--category", paramLabel = "CAT", description = "jsonl only: the element's category, e.g. reasoning.")
    String category;

    @Option(names = "--shots", paramLabel = "K", description = "MMLU and GSM8K only: solved examples per prompt (default: 5, as the paper and the harness).")
    Integer shots;

    @Option(names = "--shard-size", paramLabel = "N", defaultValue = "100", description = "Items per shard (default: ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "acc", description = "acc or acc_norm (default: ${DEFAULT-VALUE}).")
    String metric;

    @Override
    public Integer call() {
        SuiteImporters.Benchmark kind;
        ImportOptions options;
        try {
            kind = SuiteImporters.Benchmark.fromId(benchmark);
            if (shots != null && kind != SuiteImporters.Benchmark.MMLU && kind != SuiteImporters.Benchmark.GSM8K) {
                throw new IllegalArgumentException("--shots applies to mmlu and gsm8k only (ARC-Challenge, BoolQ and CrowS-Pairs are 0-shot)");
            }
            if (kind == SuiteImporters.Benchmark.JSONL && (benchmarkName == null || category == null)) {
                throw new IllegalArgumentException("jsonl needs --benchmark NAME and --category CAT");
            }
            if (benchmarkName != null && !ImportedSuites.isSafeName(benchmarkName)) {
                throw new IllegalArgumentException("--benchmark must be letters, digits, '.', '_', '-', got '" + benchmarkName + "'");
            }
            if (category != null && !category.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--category must be letters, digits, '.', '_', '-', got '" + category + "'");
            }
            if (kind != SuiteImporters.Benchmark.JSONL && (benchmarkName != null || category != null)) {
                throw new IllegalArgumentException("--benchmark and --category apply to jsonl only");
            }
            options = new ImportOptions(shots == null ? ImportOptions.MMLU_SHOTS : shots, shardSize, ChoiceMetric.fromId(metric));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().replace("shard size", "--shard-size").replace("shots must", "--shots must")
                    .replace("metric must", "--metric must"));
        }
        if (!Files.exists(from)) {
            throw new UsageException("--from " + from + " does not exist");
        }
        String id = out.toAbsolutePath().normalize().getFileName() == null ? "" : out.toAbsolutePath().normalize().getFileName().toString();
        if (!ImportedSuites.isSafeName(id)) {
            throw new UsageException("--out directory name '" + id + "' is not a valid suite id (letters, digits, '.', '_', '-')");
        }
        Suite suite;
        try {
            suite = kind == SuiteImporters.Benchmark.JSONL
                    ? ImportedSuites.write(out, SuiteImporters.readJsonl(from, benchmarkName, category, options))
                    : SuiteImporters.importInto(kind, from, out, options);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("import of " + benchmark + " from " + from + " failed: " + e.getMessage(), e);
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("suite\t%s\t%s%n", suite.id(), out.toAbsolutePath().normalize());
        for (SuiteElement e : suite.elements()) {
            String m = e.items().metric();
            pw.printf("element\t%s\t%s\titems=%d\tshards=%d\tmetric=%s%n", e.benchmark(), e.category(), e.itemCount(), e.shardCount(), m);
        }
        pw.printf("version\t%s%n", suite.version());
        pw.flush();
        return 0;
    }
}
