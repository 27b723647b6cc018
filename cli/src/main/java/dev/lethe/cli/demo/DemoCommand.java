package dev.lethe.cli.demo;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lethe demo}: the whole pipeline on one machine, from training to report, on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs Lethe end to end: an embedded Kafka broker and schema registry (child JVM) unless",
            "--bootstrap-servers is given, the trainer on the default campaign, the planner, N evaluator worker",
            "processes, the aggregator and the sinks. Exits 0 once every checkpoint's metrics are in and",
            "DIR/metrics.jsonl, DIR/alerts.jsonl and DIR/report.html are written."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--quick", description = "A small campaign (3 model runs, 2 families, 3 stages): a couple of minutes.")
    boolean quick;

    @Option(names = "--campaign", paramLabel = "FILE|NAME",
            description = "Campaign to run instead (a campaign file, or a built-in name: default, quick, findings-scale, "
                    + "findings-arch, findings-replay).")
    String campaign;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "lethe-out",
            description = "Output folder (default: ${DEFAULT-VALUE}); it must be new, empty or an earlier demo's "
                    + "(it carries the demo's marker file), whose checkpoints/, state/, logs/ and result files are replaced.")
    Path out;

    @Option(names = "--force", description = "Use --out DIR even if it is not empty and no demo created it.")
    boolean force;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
            description = "Run the demo on an embedded KRaft cluster of N nodes, 1..9, each its own JVM and both controller "
                    + "and broker, replication factor min(3, N), min.insync.replicas 2 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--evaluators", paramLabel = "N", defaultValue = "2",
            description = "Evaluator worker processes (default: ${DEFAULT-VALUE}).")
    int evaluators;

    @Option(names = "--chaos", description = "Kill -9 an evaluator worker mid-shard and restart the aggregator mid-run.")
    boolean chaos;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder holding mnist-t10k/ for MNIST campaigns (digits ship with Lethe).")
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N",
            description = "Run the campaign with this seed instead of its own, named <campaign>-seed<N> (repeat a campaign "
                    + "to see how much of a difference between models is seed noise).")
    Long seed;

    @Option(names = "--timeout-minutes", paramLabel = "M", defaultValue = "20",
            description = "Give up (exit 1) if the metrics are not complete after this long (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Override
    public Integer call() throws Exception {
        boolean external = spec.commandLine().getParseResult().hasMatchedOption("--bootstrap-servers");
        if (external && nodes != 1) {
            throw new UsageException("--nodes starts an embedded cluster; it cannot go with --bootstrap-servers");
        }
        DemoOptions options;
        try {
            options = new DemoOptions(campaign != null ? campaign : quick ? "quick" : "default", seed, out.toAbsolutePath(),
                    force, evaluators, chaos, dataDir, external ? cluster.toConfig() : null, nodes,
                    Duration.ofMinutes(timeoutMinutes)).validated();
            DemoOutDir.checkUsable(options.out(), options.force());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new DemoRun(options, spec.commandLine().getOut()).call();
    }
}
