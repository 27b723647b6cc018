package dev.lethe.cli.bench;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.trainer.campaign.CampaignFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * e2e_latency_ms_p50/_p99: the whole pipeline (planner, 2 evaluator worker processes with the fixed-cost 1 ms
 * sleep scorer, the aggregator) runs; checkpoints of the default campaign's protocol (digits-cl) are published one
 * at a time (the first model run's six warm the pipeline up and are reported apart), and each one's latency runs from just before its CheckpointReady is sent to the arrival of the last
 * ForgettingMetric of its stage (any scope, once all its shards are in, the aggregator has caught up and no more
 * metrics of the stage come for 300 ms) at a read_committed consumer.
 */
final class LatencyBench {

    static final String PREFIX = "bench-e2e.";
    static final String APPLICATION_ID = "lethe-bench-e2e-aggregator";
    static final int WORKERS = 2;
    static final Duration SCORER_COST = Duration.ofMillis(1);

    /** Latency of every measured checkpoint in publication order, and of the warm-up run's checkpoints. */
    record Result(List<Double> latenciesMs, List<Double> warmupLatenciesMs, List<Double> scoringPartMs,
                  List<Double> aggregationPartMs, int shardsPerCheckpoint, int workers) {
        Double p50() {
            return Stats.percentile(latenciesMs, 50);
        }

        Double p99() {
            return Stats.percentile(latenciesMs, 99);
        }
    }

    private final ClusterConfig cluster;
    private final Path workDir;
    private final Path dataDir;
    private final BenchLog log;

    LatencyBench(ClusterConfig base, Path workDir, Path dataDir, BenchLog log) {
        this.cluster = base.withTopicPrefix(PREFIX);
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.log = log;
    }

    Result run(int modelRuns) throws Exception {
        Topics topics = cluster.topics();
        LetheTopicsAdmin.createAll(cluster, topics);
        ContinualProtocol protocol = CampaignFile.builtIn("default").protocol();
        Suite suite = new SuiteCatalog(dataDir).resolve(protocol.suite(), protocol.toAttributes());
        int shards = suite.shardCount();
        int elements = suite.elements().size();
        EvaluatorConfig evaluator = EvaluatorConfig.defaults(cluster).withDataDir(dataDir)
                .withScorer(EvaluatorConfig.ScorerMode.SLEEP, SCORER_COST);
        AggregatorConfig aggregatorConfig = AggregatorConfig.defaults(cluster).withApplicationId(APPLICATION_ID)
                .withStateDir(workDir.resolve("e2e-aggregator-state")).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, -1)
                .validated();
        List<Double> latencies = new ArrayList<>();
        List<Double> warmup = new ArrayList<>();
        List<Double> scoringPart = new ArrayList<>();
        List<Double> aggregationPart = new ArrayList<>();
        String uri = workDir.resolve("e2e-never-loaded.zip").toUri().toString();
        String sha = "0".repeat(64); // the sleep scorer never opens the checkpoint
        try (Admin admin = Admin.create(cluster.clientProperties());
             AggregatorApp aggregator = AggregatorApp.start(aggregatorConfig);
             EvaluatorService evaluators = EvaluatorService.start(evaluator, WORKERS, EvaluatorService.WorkerMode.PROCESSES,
                     WorkerProcess.Launch.defaults().withLogFile(workDir.resolve("e2e-workers.log")), "bench-e2e-worker", true);
             TopicWatcher<ShardResult> results = new TopicWatcher<>(cluster, topics.shardResults().name(),
                     AvroSerdes.forTopic(topics.shardResults(), cluster).deserializer(), true);
             TopicWatcher<ForgettingMetric> metrics = new TopicWatcher<>(cluster, topics.forgetting().name(),
                     AvroSerdes.forTopic(topics.forgetting(), cluster).deserializer(), true);
             CheckpointPublisher publisher = new CheckpointPublisher(cluster)) {
            GroupProbe probe = new GroupProbe(admin);
            if (!aggregator.awaitRunning(Duration.ofMinutes(2)) || !evaluators.awaitWorkersReady(Duration.ofMinutes(2))
                    || !probe.awaitStable(evaluator.workerGroupId(), WORKERS, Duration.ofMinutes(2))) {
                throw new IllegalStateException("the pipeline did not start within 2 minutes; see " + workDir.resolve("e2e-workers.log"));
            }
            log.say("e2e: planner, %d worker processes (%d ms sleep scorer) and the aggregator running; %d checkpoints of %d shards",
                    WORKERS, SCORER_COST.toMillis(), (modelRuns + 1) * (protocol.stages() + 1), shards);
            // run 0 warms the pipeline up (suite built in every JVM, first schema lookups, JIT); reported apart
            for (int run = 0; run <= modelRuns; run++) {
                String model = "model-" + run;
                for (int stage = 0; stage <= protocol.stages(); stage++) {
                    String checkpointId = "bench-e2e/" + model + "/" + stage;
                    int s = stage;
                    long start = System.nanoTime();
                    publisher.publish(BenchEvents.checkpoint("bench-e2e", "mlp", model, stage, protocol, uri, sha));
                    // results are keyed by model run (RecordKeys.shardResult): the checkpoint is in the value
                    if (!results.await(a -> checkpointId.equals(a.value().getCheckpointId()), shards, Duration.ofMinutes(2))) {
                        throw new IllegalStateException("checkpoint " + checkpointId + " was not scored within 2 minutes");
                    }
                    // every element's ELEMENT record of the stage, then the aggregator caught up and quiet: the last is in
                    if (!metrics.await(a -> a.nanos() >= start && a.value().getStage() == s && model.equals(a.value().getModel())
                            && a.value().getScope() == MetricScope.ELEMENT, elements, Duration.ofMinutes(2))) {
                        throw new IllegalStateException("the ELEMENT metrics of " + checkpointId + " did not come within 2 minutes");
                    }
                    if (!probe.awaitCaughtUp(APPLICATION_ID, Duration.ofMinutes(2))) {
                        throw new IllegalStateException("the aggregator did not catch up within 2 minutes");
                    }
                    metrics.awaitQuiet(Duration.ofMillis(300), Duration.ofMinutes(1));
                    long last = metrics.arrivals(a -> a.nanos() >= start && a.value().getStage() == s
                                    && (a.value().getModel() == null || a.value().getModel().equals(model)))
                            .stream().mapToLong(TopicWatcher.Arrival::nanos).max()
                            .orElseThrow(() -> new IllegalStateException("no ForgettingMetric for " + checkpointId));
                    (run == 0 ? warmup : latencies).add((last - start) / 1e6);
                    if (run > 0) {
                        // where the time goes: publish -> last ShardResult readable, and from there to the last metric
                        long lastShard = results.arrivals(a -> checkpointId.equals(a.value().getCheckpointId())).stream()
                                .mapToLong(TopicWatcher.Arrival::nanos).max().orElse(start);
                        scoringPart.add((lastShard - start) / 1e6);
                        aggregationPart.add((last - lastShard) / 1e6);
                    }
                }
            }
        }
        log.say("e2e: p50 %.0f ms, p99 %.0f ms over %d checkpoints (median publish->last shard %.0f ms, last shard->last "
                        + "metric %.0f ms; warm-up run: %s ms)", Stats.percentile(latencies, 50), Stats.percentile(latencies, 99),
                latencies.size(), Stats.median(scoringPart), Stats.median(aggregationPart),
                warmup.stream().map(Math::round).toList());
        return new Result(latencies, warmup, scoringPart, aggregationPart, shards, WORKERS);
    }
}
