package dev.lethe.cli.bench;

import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.trainer.campaign.CampaignFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * evaluator_scaling_4_workers: shard throughput of 4 evaluator worker processes over that of 1, with the fixed
 * 200 ms sleep scorer (so the figure measures the coordination, not the two CPU cores) and {@value #PARTITIONS}
 * eval-task partitions. Each run has its own topics; the workers join and settle before the checkpoints
 * (digits-cl, the default campaign's protocol) are published back to back; throughput runs from the first
 * publication to the last ShardResult readable.
 */
final class ScalingBench {

    static final int PARTITIONS = 8;
    static final Duration SCORER_COST = Duration.ofMillis(200);

    /**
     * Shards per second with {@code workers} worker processes, how many shards each worker scored, and the
     * throughput the busiest worker allows at best (shards / its share x workers' ideal rate): key hashing spreads
     * the tasks unevenly over the partitions, and a worker only scores its own partitions.
     */
    record Run(int workers, int shards, double seconds, double shardsPerS, Map<String, Long> shardsByWorker,
               double busiestWorkerBoundShardsPerS) {
    }

    private final ClusterConfig base;
    private final Path workDir;
    private final Path dataDir;
    private final BenchLog log;

    ScalingBench(ClusterConfig base, Path workDir, Path dataDir, BenchLog log) {
        this.base = base;
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.log = log;
    }

    Run run(int workers, int checkpoints) throws Exception {
        ClusterConfig cluster = base.withTopicPrefix("bench-scale-" + workers + ".");
        Topics topics = cluster.topics().withPartitions(PARTITIONS, 3);
        LetheTopicsAdmin.createAll(cluster, topics);
        ContinualProtocol protocol = CampaignFile.builtIn("default").protocol();
        int shardsPerCheckpoint = new SuiteCatalog(dataDir).resolve(protocol.suite(), protocol.toAttributes()).shardCount();
        int shards = shardsPerCheckpoint * checkpoints;
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withDataDir(dataDir)
                .withScorer(EvaluatorConfig.ScorerMode.SLEEP, SCORER_COST);
        String uri = workDir.resolve("scale-never-loaded.zip").toUri().toString();
        String sha = "0".repeat(64);
        Path logFile = workDir.resolve("scale-" + workers + "-workers.log");
        double seconds;
        Map<String, Long> byWorker;
        try (Admin admin = Admin.create(cluster.clientProperties());
             EvaluatorService evaluators = EvaluatorService.start(config, workers, EvaluatorService.WorkerMode.PROCESSES,
                     WorkerProcess.Launch.defaults().withLogFile(logFile), "bench-scale-worker", true);
             TopicWatcher<ShardResult> results = new TopicWatcher<>(cluster, topics.shardResults().name(),
                     AvroSerdes.forTopic(topics.shardResults(), cluster).deserializer(), true);
             CheckpointPublisher publisher = new CheckpointPublisher(cluster)) {
            if (!evaluators.awaitWorkersReady(Duration.ofMinutes(3))
                    || !new GroupProbe(admin).awaitStable(config.workerGroupId(), workers, Duration.ofMinutes(2))) {
                throw new IllegalStateException(workers + " worker processes did not settle in their group; see " + logFile);
            }
            long start = System.nanoTime();
            for (int i = 0; i < checkpoints; i++) {
                publisher.publish(BenchEvents.checkpoint("bench-scale", "mlp", "model-" + i, 0, protocol, uri, sha));
            }
            if (!results.await(a -> true, shards, Duration.ofMinutes(10))) {
                throw new IllegalStateException("only " + results.count() + " of " + shards + " shards were scored in 10 minutes");
            }
            seconds = (results.lastNanos() - start) / 1e9;
            byWorker = results.arrivals().stream().collect(Collectors.groupingBy(a -> a.value().getEvaluatorId(),
                    TreeMap::new, Collectors.counting()));
        }
        long busiest = byWorker.values().stream().mapToLong(Long::longValue).max().orElse(shards);
        Run run = new Run(workers, shards, seconds, shards / seconds, byWorker,
                shards / (busiest * SCORER_COST.toMillis() / 1000.0));
        log.say("scaling: %d worker process(es), %d partitions: %d shards in %.2f s = %.2f shards/s (ideal %.2f; shards per "
                        + "worker %s allow at most %.2f)", workers, PARTITIONS, shards, seconds, run.shardsPerS(),
                workers * 1000.0 / SCORER_COST.toMillis(), byWorker.values(), run.busiestWorkerBoundShardsPerS());
        return run;
    }

}
