package dev.lethe.evaluator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.model.Predictions;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The planner and two worker threads on a real broker: real DL4J checkpoints scored exactly once; refusals dead-lettered. */
class EvaluatorPipelineIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path root;

    @Test
    void shouldScoreEveryShardOfThreeCheckpointsExactlyOnceWhenTwoWorkersShareTheGroup() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(root))
                .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
        List<CheckpointReady> events = new ArrayList<>();
        List<MultiLayerNetwork> nets = new ArrayList<>();
        for (int stage = 0; stage <= 2; stage++) {
            MultiLayerNetwork net = TinyModels.train(stage);
            nets.add(net);
            events.add(TinyModels.checkpoint(root, "camp", "mlp-a", stage, net));
        }
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", TinyModels.ATTRIBUTES);
        Set<String> expected = Results.expectedTaskIds(suite, events);

        try (Planner planner = new Planner(config);
             EvaluatorWorker w0 = new EvaluatorWorker(config.withWorkerId("w0"));
             EvaluatorWorker w1 = new EvaluatorWorker(config.withWorkerId("w1"))) {
            planner.start();
            w0.start();
            w1.start();
            for (CheckpointReady event : events) {
                CLUSTER.send(topics.checkpoints(), event.getCampaign() + "/" + event.getModel(), event);
            }

            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(topics.shardResults(), expected.size(), Duration.ofSeconds(90));

            Results.assertExactlyOnce(results, expected);
            assertThat(results).extracting(r -> r.value().getEvaluatorId()).containsOnly("w0", "w1");
            assertThat(results).allSatisfy(r -> {
                assertThat(r.value().getStatus()).isEqualTo(ShardStatus.OK);
                assertThat(r.value().getSuiteVersion()).isEqualTo(suite.version());
                assertThat(r.value().getScorer()).isEqualTo("dl4j-multilayer");
                assertThat(r.value().getLogLikelihoodSum()).isNotNull().isLessThanOrEqualTo(0.0);
            });
            assertThat(w0.failure()).isNull();
            assertThat(w1.failure()).isNull();

            // the per-item bitsets, concatenated in shard order, equal a local batched prediction of the same model
            Map<String, ShardResult> byTask = Results.byTaskId(results);
            for (int stage = 0; stage <= 2; stage++) {
                for (SuiteElement element : suite.elements()) {
                    boolean[] local = Predictions.correct(nets.get(stage), images(element), 64);
                    List<Boolean> fromShards = new ArrayList<>();
                    int correct = 0;
                    for (int s = 0; s < element.shardCount(); s++) {
                        ShardResult r = byTask.get("camp/mlp-a/" + stage + "/" + element.benchmark() + "/" + s);
                        assertThat(r.getItemStart()).isEqualTo(element.shardStart(s));
                        for (boolean b : ItemBits.unpack(r.getItemBits(), r.getN())) {
                            fromShards.add(b);
                        }
                        correct += r.getCorrect();
                    }
                    boolean[] joined = new boolean[fromShards.size()];
                    for (int i = 0; i < joined.length; i++) {
                        joined[i] = fromShards.get(i);
                    }
                    assertThat(joined).as("stage %d %s", stage, element.benchmark()).containsExactly(local);
                    int localCorrect = 0;
                    for (boolean b : local) {
                        localCorrect += b ? 1 : 0;
                    }
                    assertThat(correct).isEqualTo(localCorrect);
                }
            }
            // trained models are far better than chance on the clean digits
            int cleanCorrect = byTask.values().stream().filter(r -> r.getCheckpointId().equals("camp/mlp-a/0")
                    && r.getBenchmark().equals("digits-clean-a")).mapToInt(ShardResult::getCorrect).sum();
            assertThat(cleanCorrect).isGreaterThan(suite.element("digits-clean-a").orElseThrow().itemCount() / 2);
            assertThat(planner.eventsPlanned()).isEqualTo(3);
            assertThat(planner.tasksEmitted()).isEqualTo(expected.size());

            // one plan per checkpoint for the aggregator: the suite's elements, keyed and partitioned as the run's results
            List<ConsumerRecord<String, CheckpointPlan>> plans = CLUSTER.readAll(topics.checkpointPlans(), 3, Duration.ofSeconds(30));
            assertThat(plans).extracting(r -> r.value().getStage()).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(plans).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo("camp/mlp-a");
                assertThat(r.partition()).isEqualTo(results.get(0).partition());
                assertThat(r.value().getCheckpointId()).isEqualTo("camp/mlp-a/" + r.value().getStage());
                assertThat(r.value().getSuiteVersion()).isEqualTo(suite.version());
                assertThat(r.value().getElements()).extracting(PlannedElement::getBenchmark, PlannedElement::getCategory)
                        .containsExactlyElementsOf(suite.elements().stream().map(e -> tuple(e.benchmark(), e.category())).toList());
            });
        }
    }

    @Test
    void shouldDeadLetterEveryRefusedEventAndCheckpointAndKeepGoing() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(root.resolve("allowed")))
                .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
        MultiLayerNetwork net = TinyModels.train(0);
        CheckpointReady good = TinyModels.checkpoint(root.resolve("allowed"), "bad", "good", 0, net);
        CheckpointReady outside = TinyModels.checkpoint(root.resolve("elsewhere"), "bad", "outside", 0, net);
        CheckpointReady wrongHash = TinyModels.event("bad", "hash", 0, good.getCheckpointUri(), "0".repeat(64));
        Path evilFile = root.resolve("allowed/bad/evil/stage-0.zip");
        Files.createDirectories(evilFile.getParent());
        addEntry(Path.of(java.net.URI.create(good.getCheckpointUri())), evilFile, "preprocessor.bin");
        CheckpointReady evil = TinyModels.event("bad", "evil", 0, evilFile.toUri().toString(), dev.lethe.ml.checkpoint.Checkpoints.sha256(evilFile));
        CheckpointReady missing = TinyModels.event("bad", "missing", 0, root.resolve("allowed/nope.zip").toUri().toString(), "1".repeat(64));
        CheckpointReady traversal = TinyModels.event("bad", "traversal", 0, "file:" + root.resolve("allowed") + "/../elsewhere/bad/outside/stage-0.zip", outside.getCheckpointSha256());
        CheckpointReady negativeStage = CheckpointReady.newBuilder(good).setCheckpointId("bad/neg/-1").setModel("neg").setStage(-1).build();
        CheckpointReady unknownSuite = CheckpointReady.newBuilder(good).setCheckpointId("bad/suite/0").setModel("suite").setSuite("no-such-suite").build();
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", TinyModels.ATTRIBUTES);
        int shards = suite.shardCount();

        try (Planner planner = new Planner(config);
             EvaluatorWorker w0 = new EvaluatorWorker(config.withWorkerId("d0"))) {
            planner.start();
            w0.start();
            CLUSTER.sendBytes(topics.checkpoints().name(), "bad/garbage", "not avro".getBytes(StandardCharsets.UTF_8));
            CLUSTER.sendBytes(topics.evalTasks().name(), "bad/garbage/digits-noise/0", new byte[] {0, 0, 0, 0, 99, 1});
            for (CheckpointReady e : List.of(negativeStage, unknownSuite, wrongHash, outside, evil, missing, traversal, good)) {
                CLUSTER.send(topics.checkpoints(), e.getCampaign() + "/" + e.getModel(), e);
            }

            List<ConsumerRecord<String, DeadLetter>> plannerDlq = CLUSTER.readDlq(topics.checkpoints(), 3, Duration.ofSeconds(60));
            assertThat(plannerDlq).extracting(r -> r.value().getReason()).containsExactlyInAnyOrder(
                    DeadLetterReason.DESERIALIZATION, DeadLetterReason.VALIDATION, DeadLetterReason.UNKNOWN_SUITE);
            assertThat(plannerDlq).allSatisfy(r -> assertThat(r.value().getSourceTopic()).isEqualTo(topics.checkpoints().name()));

            // the good checkpoint, planned after the bad ones, is still scored completely
            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(topics.shardResults(), shards, Duration.ofSeconds(90));
            Results.assertExactlyOnce(results, Results.expectedTaskIds(suite, List.of(good)));

            List<ConsumerRecord<String, DeadLetter>> workerDlq = CLUSTER.readDlq(topics.evalTasks(), 5 * shards + 1, Duration.ofSeconds(90));
            Map<String, Set<DeadLetterReason>> reasonsByModel = workerDlq.stream().collect(Collectors.groupingBy(
                    r -> new String(r.value().getKey().array(), StandardCharsets.UTF_8).split("/")[1],
                    Collectors.mapping(r -> r.value().getReason(), Collectors.toSet())));
            assertThat(reasonsByModel).containsOnly(
                    Map.entry("hash", Set.of(DeadLetterReason.CHECKPOINT_REJECTED)),
                    Map.entry("outside", Set.of(DeadLetterReason.CHECKPOINT_REJECTED)),
                    Map.entry("evil", Set.of(DeadLetterReason.CHECKPOINT_REJECTED)),
                    Map.entry("traversal", Set.of(DeadLetterReason.CHECKPOINT_REJECTED)),
                    Map.entry("missing", Set.of(DeadLetterReason.CHECKPOINT_UNAVAILABLE)),
                    Map.entry("garbage", Set.of(DeadLetterReason.DESERIALIZATION)));
            assertThat(workerDlq).hasSize(5 * shards + 1);
            assertThat(workerDlq).allSatisfy(r -> {
                assertThat(r.value().getSourceTopic()).isEqualTo(topics.evalTasks().name());
                assertThat(r.value().getOffset()).isNotNegative();
                assertThat(r.value().getValue()).isNotNull();
            });
            assertThat(workerDlq).filteredOn(r -> r.value().getMessage().contains("preprocessor.bin")).hasSize(shards);
            assertThat(w0.failure()).isNull();
        }
    }

    @Test
    void shouldStayInTheGroupWhenAShardTakesLongerThanMaxPollInterval() throws Exception {
        // max.poll.interval.ms 1.5 s, each shard 2.5 s: only the paused-partition polling keeps the worker a member
        ClusterConfig plannerCluster = CLUSTER.newTopicPrefix();
        ClusterConfig cluster = plannerCluster.withClientOverrides(Map.of("max.poll.interval.ms", "1500"));
        Topics topics = cluster.topics();
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(root))
                .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30)).withMaxPollRecords(1)
                .withScorer(EvaluatorConfig.ScorerMode.SLEEP, Duration.ofMillis(2500));
        CheckpointReady event = TinyModels.event("slow", "mlp-s", 0, root.resolve("unused.zip").toUri().toString(), "2".repeat(64));

        try (Planner planner = new Planner(EvaluatorConfig.defaults(plannerCluster));
             EvaluatorWorker worker = new EvaluatorWorker(config.withWorkerId("patient"))) {
            planner.start();
            worker.start();
            CLUSTER.send(topics.checkpoints(), "slow/mlp-s", event);

            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(topics.shardResults(), 3, Duration.ofSeconds(60));

            assertThat(results).extracting(r -> r.value().getTaskId()).doesNotHaveDuplicates();
            assertThat(results).allSatisfy(r -> {
                assertThat(r.value().getEvaluatorId()).isEqualTo("patient");
                assertThat(r.value().getScorer()).isEqualTo("sleep-2500ms");
                assertThat(r.value().getDurationMs()).isGreaterThanOrEqualTo(2500);
            });
            assertThat(worker.aborts()).as("transactions aborted (a stale member cannot commit)").isZero();
            assertThat(worker.batchesAbandoned()).as("batches abandoned after losing partitions").isZero();
            assertThat(worker.failure()).isNull();
        }
    }

    @Test
    void shouldStopThePlannerWhenCheckpointPlansHaveOtherPartitionsThanShardResults() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        String plans = cluster.topics().checkpointPlans().name();
        int shardPartitions = cluster.topics().shardResults().partitions();
        CLUSTER.increasePartitions(cluster, plans, shardPartitions + 1);

        // its plans would land in other partitions than their runs' results, where the aggregator does not look for them
        try (Planner planner = new Planner(EvaluatorConfig.defaults(cluster))) {
            planner.start();
            await("the planner stops").atMost(Duration.ofSeconds(60)).until(() -> planner.failure() != null);
            assertThat(planner.failure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(plans + " has " + (shardPartitions + 1) + " partitions").hasMessageContaining("must have as many");
        }
    }

    @Test
    void shouldStillRefuseAnotherSha256ForAKnownIdWhenThePlannerRestarts() throws Exception {
        // the identity rule lives in the planner's memory: a new planner rebuilds it by replaying lethe.checkpoints
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster);
        CheckpointReady first = TinyModels.event("ids", "mlp-i", 0, "file:/ckpt/ids/mlp-i/stage-0.zip", "a".repeat(64));
        CheckpointReady again = TinyModels.event("ids", "mlp-i", 0, "file:/ckpt/ids/mlp-i/stage-0.zip", "a".repeat(64));
        CheckpointReady other = TinyModels.event("ids", "mlp-i", 0, "file:/ckpt/elsewhere/stage-0.zip", "b".repeat(64));
        int shards = new SuiteCatalog(null).resolve("digits-cl", TinyModels.ATTRIBUTES).shardCount();

        try (Planner planner = new Planner(config)) {
            planner.start();
            CLUSTER.send(topics.checkpoints(), "ids/mlp-i", first);
            CLUSTER.readAll(topics.evalTasks(), shards, Duration.ofSeconds(60));
        }
        try (Planner restarted = new Planner(config)) {
            restarted.start();
            CLUSTER.send(topics.checkpoints(), "ids/mlp-i", other);
            CLUSTER.send(topics.checkpoints(), "ids/mlp-i", again);

            List<ConsumerRecord<String, DeadLetter>> dlq = CLUSTER.readDlq(topics.checkpoints(), 1, Duration.ofSeconds(60));
            assertThat(dlq).singleElement().satisfies(r -> {
                assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.CHECKPOINT_CONFLICT);
                assertThat(r.value().getMessage()).contains("was published with sha256 " + "a".repeat(64));
            });
            // the same bytes republished are planned again (same task ids, deduplicated downstream)
            assertThat(CLUSTER.readAll(topics.evalTasks(), 2 * shards, Duration.ofSeconds(60))).hasSize(2 * shards);
            assertThat(restarted.failure()).isNull();
        }
    }

    private static LabeledImages images(SuiteElement element) {
        ImageItems items = (ImageItems) element.items();
        return new LabeledImages(items.width(), items.height(), items.pixels(), items.labels(), items.numClasses());
    }

    /** Copies a checkpoint zip and adds one more entry, as an attacker would. */
    private static void addEntry(Path source, Path target, String extra) throws Exception {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(source));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(extra));
            out.write(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5});
            out.closeEntry();
        }
    }
}
