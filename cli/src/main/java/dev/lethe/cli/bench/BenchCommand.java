package dev.lethe.cli.bench;

import dev.lethe.cli.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lethe bench}: the performance figures of BENCHMARKS.md, measured in one run on an embedded broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures every figure of the performance table (BENCHMARKS.md) in one",
            "run: starts an embedded Kafka broker and schema registry (child JVM), runs",
            "the consumer/aggregator, end-to-end latency, DL4J scoring, evaluator and",
            "scaling benchmarks one after another, prints the figures with their goals",
            "and writes them as JSON. Other load on the machine changes the figures.",
            "Exit 0 when every benchmark ran, 1 when one failed, 2 on a usage error."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Write the figures as JSON here.")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder holding mnist-t10k/ for the mnist-cl scoring benchmarks (default: ../shared/data if it exists).")
    Path dataDir;

    @Option(names = "--records", paramLabel = "N",
            description = "Shard results for the consumer and aggregator benchmarks (default: 20000, 5000 with --quick; rounded up to whole model runs of 1344).")
    Long records;

    @Option(names = "--quick", description = "Smaller samples everywhere (about half the time).")
    boolean quick;

    @Option(names = "--only", paramLabel = "NAME", split = ",",
            description = "Run only these benchmarks: aggregator, e2e, scoring, scaling, llm (default: all).")
    java.util.List<String> only;

    @Option(names = "--keep-work-dir", description = "Keep the work folder (logs, checkpoint, aggregator state) and print where it is.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        Path data = dataDir;
        if (data == null && Files.isDirectory(Path.of("..", "shared", "data"))) {
            data = Path.of("..", "shared", "data");
        }
        if (dataDir != null && !Files.isDirectory(dataDir)) {
            throw new UsageException("--data-dir " + dataDir + " is not a folder");
        }
        BenchOptions options;
        try {
            long n = records != null ? records : quick ? BenchOptions.QUICK_RECORDS : BenchOptions.DEFAULT_RECORDS;
            options = new BenchOptions(out == null ? null : out.toAbsolutePath(),
                    data == null ? null : data.toAbsolutePath().normalize(), n, quick, keep,
                    only == null ? null : new java.util.LinkedHashSet<>(only)).validated();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new BenchRun(options, spec.commandLine().getOut()).call();
    }
}
