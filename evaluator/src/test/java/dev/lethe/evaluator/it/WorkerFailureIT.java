package dev.lethe.evaluator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker stopped abruptly while it scores a shard (a thread halted; a child process SIGKILLed) loses nothing and
 * double-counts nothing: its uncommitted batch is re-scored by the surviving worker, read_committed shows each
 * task's result exactly once.
 */
class WorkerFailureIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    static final Duration SLOW_SHARD = Duration.ofMillis(700);

    @TempDir
    static Path root;
    static CheckpointReady checkpoint;
    static Suite suite;

    @BeforeAll
    static void trainModel() throws Exception {
        checkpoint = TinyModels.checkpoint(root, "chaos", "mlp-k", 1, TinyModels.train(1));
        suite = new SuiteCatalog(null).resolve("digits-cl", TinyModels.ATTRIBUTES);
    }

    private static EvaluatorConfig config(ClusterConfig cluster) {
        return EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(root))
                .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(20)).withMaxPollRecords(2);
    }

    @Test
    void shouldScoreEveryShardExactlyOnceWhenAWorkerThreadIsHaltedMidShard() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        EvaluatorConfig config = config(cluster);
        AtomicInteger slowCommits = new AtomicInteger();
        AtomicReference<String> slowScoring = new AtomicReference<>();
        EvaluatorWorker slow = new EvaluatorWorker(config.withWorkerId("slow").withScorer(EvaluatorConfig.ScorerMode.MODEL, SLOW_SHARD),
                new SuiteCatalog(null), new EvaluatorWorker.Listener() {
                    @Override
                    public void onScoring(String taskId) {
                        slowScoring.set(taskId);
                    }

                    @Override
                    public void onCommitted(int tasks) {
                        slowCommits.incrementAndGet();
                    }
                });
        try (Planner planner = new Planner(config);
             EvaluatorWorker survivor = new EvaluatorWorker(config.withWorkerId("survivor"))) {
            // The slow worker runs alone first, so it owns every eval-tasks partition and surely has a second batch
            // to be halted in. (Started together, the group's assignment is random: the slow worker could get
            // partitions holding a single batch, commit it, and never score again.)
            planner.start();
            slow.start();
            CLUSTER.send(cluster.topics().checkpoints(), "chaos/mlp-k", checkpoint);

            // stop the slow worker once it has committed a batch and is in the middle of its next shard
            awaitTrue(() -> slowCommits.get() >= 1 && slow.scoringInProgress(), Duration.ofSeconds(60), "slow worker committed and scoring again");
            String inFlight = slowScoring.get();
            long committedBeforeHalt = slow.resultsCommitted();
            slow.halt();
            survivor.start();

            Set<String> expected = Results.expectedTaskIds(suite, List.of(checkpoint));
            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(cluster.topics().shardResults(), expected.size(), Duration.ofSeconds(90));

            Results.assertExactlyOnce(results, expected);
            Map<String, ShardResult> byTask = Results.byTaskId(results);
            assertThat(committedBeforeHalt).isPositive();
            assertThat(slow.resultsCommitted()).isEqualTo(committedBeforeHalt);
            assertThat(byTask.get(inFlight).getEvaluatorId()).as("the shard in flight at the halt").isEqualTo("survivor");
            assertThat(results).filteredOn(r -> r.value().getEvaluatorId().equals("slow")).hasSize((int) committedBeforeHalt);
            assertThat(survivor.failure()).isNull();
        } finally {
            slow.halt();
        }
    }

    @Test
    void shouldScoreEveryShardExactlyOnceWhenAWorkerProcessIsKilledMidShard() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        EvaluatorConfig config = config(cluster);
        Path log = Files.createDirectories(Path.of("target")).resolve("worker-process-it.log");
        WorkerProcess process = WorkerProcess.start(config.withWorkerId("proc").withScorer(EvaluatorConfig.ScorerMode.MODEL, SLOW_SHARD),
                WorkerProcess.Launch.defaults().withLogFile(log));
        try (Planner planner = new Planner(config)) {
            assertThat(process.awaitReady(Duration.ofSeconds(60))).as("worker process READY; log in " + log.toAbsolutePath()).isTrue();
            planner.start();
            CLUSTER.send(cluster.topics().checkpoints(), "chaos/mlp-k", checkpoint);

            // kill -9 once the child has committed a batch and printed SCORING for a later shard
            String inFlight = awaitScoringAfterCommit(process, Duration.ofSeconds(60));
            process.kill();
            assertThat(process.exitCode()).isEqualTo(137);
            long committedByProcess = process.lines().stream().filter(l -> l.startsWith("COMMITTED")).count();

            try (EvaluatorWorker survivor = new EvaluatorWorker(config.withWorkerId("survivor"))) {
                survivor.start();
                Set<String> expected = Results.expectedTaskIds(suite, List.of(checkpoint));
                List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(cluster.topics().shardResults(), expected.size(), Duration.ofSeconds(90));

                Results.assertExactlyOnce(results, expected);
                assertThat(committedByProcess).isPositive();
                assertThat(results).filteredOn(r -> r.value().getEvaluatorId().equals("proc")).isNotEmpty();
                assertThat(Results.byTaskId(results).get(inFlight).getEvaluatorId()).as("the shard in flight at the kill").isEqualTo("survivor");
                assertThat(survivor.failure()).isNull();
            }
        } finally {
            process.kill();
        }
    }

    /** The task id of a SCORING line printed after the first COMMITTED line. */
    private static String awaitScoringAfterCommit(WorkerProcess process, Duration timeout) throws InterruptedException {
        List<String> lines = await("worker process scoring after a commit").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(process::lines, WorkerFailureIT::scoringAfterCommit);
        return lines.get(lines.size() - 1).substring("SCORING ".length());
    }

    private static boolean scoringAfterCommit(List<String> lines) {
        int committed = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("COMMITTED")) {
                committed = i;
                break;
            }
        }
        return committed >= 0 && lines.get(lines.size() - 1).startsWith("SCORING") && lines.size() - 1 > committed;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }
}
