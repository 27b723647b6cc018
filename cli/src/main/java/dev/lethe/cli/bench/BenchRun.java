package dev.lethe.cli.bench;

import dev.lethe.embedded.ChildBroker;
import dev.lethe.schemas.config.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.io.file.PathUtils;

/**
 * One run of {@code lethe bench}: starts the embedded broker and registry in a child JVM, runs each benchmark in
 * turn (so they do not compete for the cores), collects the figures into a {@link BenchReport}, prints them and
 * writes the JSON. A benchmark that fails leaves its figures null, says why under {@code details.errors}, and
 * makes the exit code 1; the others still run.
 */
final class BenchRun implements Callable<Integer> {

    private final BenchOptions options;
    private final BenchLog log;
    private final Map<String, String> errors = new LinkedHashMap<>();
    private final Map<String, double[]> loadBefore = new LinkedHashMap<>();

    BenchRun(BenchOptions options, PrintWriter out) {
        this.options = options;
        this.log = new BenchLog(out);
    }

    @Override
    public Integer call() throws Exception {
        long begin = System.nanoTime();
        Quiet.adminStartupNoise();
        Path work = Files.createTempDirectory("lethe-bench-");
        Map<String, Object> machine = MachineInfo.describe();
        machine.put("load_average_at_start", MachineInfo.loadAverage());
        Map<String, Object> settings = options.describe();
        settings.put("started_at", Instant.now().toString());
        settings.put("broker", "embedded single-node KRaft broker + embedded schema registry in a child JVM (ChildBroker)");
        BenchReport report = new BenchReport(machine, settings);
        log.say("work folder %s; load average %s", work, java.util.Arrays.toString(MachineInfo.loadAverage()));
        try {
            measure(report, work);
        } finally {
            if (!options.keep()) {
                deleteTree(work);
            }
        }
        report.machine("load_average_at_end", MachineInfo.loadAverage());
        report.detail("duration_s", BenchReport.round((System.nanoTime() - begin) / 1e9));
        report.detail("load_average_before", loadBefore);
        report.detail("errors", errors);

        PrintWriter out = log.out();
        out.println();
        report.table().forEach(out::println);
        out.println();
        if (options.out() != null) {
            Files.createDirectories(options.out().toAbsolutePath().getParent());
            Files.writeString(options.out(), report.toJsonText());
            log.say("wrote %s", options.out());
        }
        if (options.keep()) {
            log.say("kept the work folder %s", work);
        }
        log.say("done in %.0f s%s", (System.nanoTime() - begin) / 1e9, errors.isEmpty() ? "" : "; failed: " + errors.keySet());
        out.flush();
        return errors.isEmpty() ? 0 : 1;
    }

    /** Starts the broker and runs the chosen benchmarks one after another. */
    private void measure(BenchReport report, Path work) {
        if (options.runs("llm")) {
            llm(report); // needs no broker: it runs first, alone, and --only llm starts none
            if (options.only().size() == 1) {
                return;
            }
        }
        try (ChildBroker broker = ChildBroker.builder().stderr(Redirect.appendTo(work.resolve("broker.log").toFile())).start()) {
            ClusterConfig cluster = ClusterConfig.of(broker.bootstrapServers(), broker.schemaRegistryUrl());
            log.say("broker %s, registry %s", broker.bootstrapServers(), broker.schemaRegistryUrl());
            if (options.runs("aggregator")) {
                aggregator(report, cluster, work, broker.pid());
            }
            if (options.runs("e2e")) {
                latency(report, cluster, work);
            }
            if (options.runs("scoring")) {
                scoring(report, cluster, work);
            }
            if (options.runs("scaling")) {
                scaling(report, cluster, work);
            }
        }
    }

    private void aggregator(BenchReport report, ClusterConfig cluster, Path work, long brokerPid) {
        attempt("aggregator", () -> {
            AggregatorBench.Result r = new AggregatorBench(cluster, work, log, brokerPid).run(options.records(), options.aggregatorWarmups(),
                    options.rawConsumerPasses());
            report.set("raw_consumer_records_per_s", r.rawRecordsPerS());
            report.set("aggregator_records_per_s", r.aggregatorRecordsPerS());
            report.set("aggregator_vs_raw_ratio", Stats.ratio(r.aggregatorRecordsPerS(), r.rawRecordsPerS()));
            report.set("aggregator_vs_streams_ceiling", Stats.ratio(r.aggregatorRecordsPerS(), r.streamsPassThroughRecordsPerS()));
            report.set("aggregator_output_amplification", r.outputAmplification());
            report.set("aggregator_state_bytes_per_model_run", r.stateBytesPerRun());
            report.detail("aggregator", r);
        });
        attempt("aggregator_cost", () -> {
            AggregatorCostBench.Result r = new AggregatorCostBench(log).run(3);
            report.set("aggregator_cost_growth_200_vs_20_stages", r.growth());
            report.detail("aggregator_cost", r);
        });
    }

    private void latency(BenchReport report, ClusterConfig cluster, Path work) {
        attempt("e2e_latency", () -> {
            LatencyBench.Result r = new LatencyBench(cluster, work, options.dataDir(), log).run(options.latencyModelRuns());
            report.set("e2e_latency_ms_p50", r.p50());
            report.set("e2e_latency_ms_p99", r.p99());
            report.detail("e2e_latency", r);
        });
    }

    private void scoring(BenchReport report, ClusterConfig cluster, Path work) {
        if (options.dataDir() == null || !Files.isDirectory(options.dataDir().resolve("mnist-t10k"))) {
            errors.put("scoring", "no mnist-t10k/ under --data-dir " + options.dataDir() + ": mnist-cl cannot be built");
            log.say("scoring: skipped (%s)", errors.get("scoring"));
            return;
        }
        attempt("scoring", () -> {
            ScoringBench.Result r = new ScoringBench(cluster, work, options.dataDir(), log)
                    .run(options.rawDl4jPasses(), options.evaluatorRuns());
            report.set("raw_dl4j_items_per_s", r.rawItemsPerS());
            report.set("evaluator_items_per_s", r.evaluatorItemsPerS());
            report.set("evaluator_vs_raw_ratio", Stats.ratio(r.evaluatorItemsPerS(), r.rawItemsPerS()));
            report.set("evaluator_overhead_ms_per_shard", r.overheadMsPerShard());
            report.detail("scoring", r);
        });
    }

    private void llm(BenchReport report) {
        attempt("llm", () -> {
            LlmScorerBench.Result r = new LlmScorerBench(log).run(options.llmItems(), options.llmPasses());
            report.set("llm_scorer_vs_raw_client", Stats.ratio(r.scorerMedian(), r.rawMedian()));
            report.detail("llm", r);
        });
    }

    private void scaling(BenchReport report, ClusterConfig cluster, Path work) {
        attempt("scaling", () -> {
            ScalingBench bench = new ScalingBench(cluster, work, options.dataDir(), log);
            ScalingBench.Run one = bench.run(1, options.scalingCheckpoints(1));
            ScalingBench.Run four = bench.run(4, options.scalingCheckpoints(4));
            report.set("evaluator_scaling_4_workers", Stats.ratio(four.shardsPerS(), one.shardsPerS()));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("one_worker", one);
            d.put("four_workers", four);
            d.put("eval_task_partitions", ScalingBench.PARTITIONS);
            d.put("scorer_ms", ScalingBench.SCORER_COST.toMillis());
            report.detail("scaling", d);
        });
    }

    /** Log levels for the bench's own console. */
    private static final class Quiet {
        /**
         * Kafka Streams' admin client logs an ERROR per changelog topic it asks about before Streams has created it
         * (normal at every fresh start); the bench starts several fresh applications, so these lines would drown
         * the figures.
         */
        static void adminStartupNoise() {
            if (org.slf4j.LoggerFactory.getLogger("org.apache.kafka.clients.admin.internals.PartitionLeaderStrategy")
                    instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.OFF);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void attempt(String name, Step step) {
        long start = System.nanoTime();
        loadBefore.put(name, MachineInfo.loadAverage());
        try {
            step.run();
            log.say("%s: done in %.1f s", name, (System.nanoTime() - start) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.put(name, "interrupted");
        } catch (Exception e) {
            errors.put(name, e.toString());
            log.say("%s: FAILED: %s", name, e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        PathUtils.deleteDirectory(root);
    }
}
