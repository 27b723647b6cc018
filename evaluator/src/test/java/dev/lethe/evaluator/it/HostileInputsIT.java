package dev.lethe.evaluator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.checkpoint.HostileCheckpoints;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 14's hostile inputs on a real broker, between two valid checkpoints on the same partition, scored by a worker
 * child process with its production limits (-Xmx512m, JavaCPP maxphysicalbytes 1500m): a 10 KB checkpoint whose
 * header claims 16·10⁹ floats, a near-limit updaterState bomb, a 512 KiB key, a checkpoint id republished with other
 * weights, names with '/' and NUL, and a 512 KiB key on eval-tasks too. Each gets its dead letter with a clear
 * reason; the worker survives within its memory budget and both valid checkpoints are scored completely.
 */
class HostileInputsIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Logger LOG = LoggerFactory.getLogger(HostileInputsIT.class);

    /** JavaCPP's maxphysicalbytes in the worker's default JVM options: the process's stated memory budget. */
    private static final long WORKER_MEMORY_BUDGET = 1500L << 20;

    @TempDir
    Path root;

    @Test
    void shouldRefuseEveryHostileInputAndProcessTheValidEventsAroundIt() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(root))
                .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
        CheckpointReady validA = TinyModels.checkpoint(root, "camp", "valid-a", 0, TinyModels.train(0));
        CheckpointReady validB = TinyModels.event("camp", "valid-b", 0, validA.getCheckpointUri(), validA.getCheckpointSha256());
        Path real = Path.of(URI.create(validA.getCheckpointUri()));
        Path craftedFile = HostileCheckpoints.craftedHeader(real, root.resolve("hostile/crafted/stage-0.zip"), 16_000_000_000L);
        Path bombFile = HostileCheckpoints.bomb(real, root.resolve("hostile/bomb/stage-0.zip"), 1_000_000_000L);
        assertThat(Files.size(craftedFile)).isLessThan(20_000);
        CheckpointReady crafted = TinyModels.event("hostile", "crafted", 0, craftedFile.toUri().toString(), Checkpoints.sha256(craftedFile));
        CheckpointReady bomb = TinyModels.event("hostile", "bomb", 0, bombFile.toUri().toString(), Checkpoints.sha256(bombFile));
        CheckpointReady republished = TinyModels.event("camp", "valid-a", 0, bombFile.toUri().toString(), bomb.getCheckpointSha256());
        CheckpointReady slash = CheckpointReady.newBuilder(validA).setFamily("ml/p").build();
        CheckpointReady nul = TinyModels.event("hostile", "a\u0000b", 0, validA.getCheckpointUri(), validA.getCheckpointSha256());
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", TinyModels.ATTRIBUTES);
        int shards = suite.shardCount();

        Path log = Files.createDirectories(Path.of("target")).resolve("hostile-inputs-worker.log");
        WorkerProcess worker = WorkerProcess.start(config.withWorkerId("hostile"), WorkerProcess.Launch.defaults().withLogFile(log));
        Serializer<CheckpointReady> events = AvroSerdes.forTopic(topics.checkpoints(), cluster).serializer();
        try (Planner planner = new Planner(config);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(CLUSTER.producerProperties(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            assertThat(worker.awaitReady(Duration.ofSeconds(90))).as("worker READY; log in " + log.toAbsolutePath()).isTrue();
            planner.start();
            // all on partition 0, in this order: the valid events before and behind each hostile one share its partition
            String name = topics.checkpoints().name();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            records.add(record(name, "camp/valid-a", events.serialize(name, validA)));
            records.add(record(name, "k".repeat(512 * 1024), "not avro".getBytes(StandardCharsets.UTF_8)));
            for (CheckpointReady e : List.of(crafted, bomb, republished, slash, nul, validB)) {
                records.add(record(name, e.getCampaign() + "/" + e.getModel(), events.serialize(name, e)));
            }
            // the worker's twin of the long key: a raw task with a 512 KiB key on eval-tasks
            records.add(record(topics.evalTasks().name(), "t".repeat(512 * 1024), "not avro either".getBytes(StandardCharsets.UTF_8)));
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get();
            }

            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(topics.shardResults(), 2 * shards, Duration.ofSeconds(120));
            Results.assertExactlyOnce(results, Results.expectedTaskIds(suite, List.of(validA, validB)));
            assertThat(results).allSatisfy(r -> assertThat(r.value().getCheckpointSha256()).isEqualTo(validA.getCheckpointSha256()));

            List<ConsumerRecord<String, DeadLetter>> plannerDlq = CLUSTER.readDlq(topics.checkpoints(), 4, Duration.ofSeconds(60));
            Map<DeadLetterReason, List<String>> planned = plannerDlq.stream().collect(Collectors.groupingBy(
                    r -> r.value().getReason(), Collectors.mapping(r -> r.value().getMessage(), Collectors.toList())));
            assertThat(planned.get(DeadLetterReason.DESERIALIZATION)).singleElement().asString().contains("undecodable CheckpointReady");
            assertThat(planned.get(DeadLetterReason.CHECKPOINT_CONFLICT)).singleElement().asString()
                    .contains("camp/valid-a/0 was published with sha256 " + validA.getCheckpointSha256());
            assertThat(planned.get(DeadLetterReason.VALIDATION)).hasSize(2)
                    .anySatisfy(m -> assertThat(m).contains("family must not contain '/'"))
                    .anySatisfy(m -> assertThat(m).contains("model must not contain control characters, got U+0000"));
            assertThat(plannerDlq).filteredOn(r -> r.value().getReason() == DeadLetterReason.DESERIALIZATION)
                    .singleElement().satisfies(r -> {
                        assertThat(r.key()).startsWith("sha256:"); // the key is copied once, in the dead letter
                        assertThat(r.value().getKey().remaining()).isEqualTo(512 * 1024);
                    });

            List<ConsumerRecord<String, DeadLetter>> workerDlq = CLUSTER.readDlq(topics.evalTasks(), 2 * shards + 1, Duration.ofSeconds(120));
            assertThat(workerDlq).hasSize(2 * shards + 1);
            assertThat(workerDlq).filteredOn(r -> r.value().getReason() == DeadLetterReason.DESERIALIZATION).singleElement()
                    .satisfies(r -> assertThat(r.key()).startsWith("sha256:"));
            assertThat(workerDlq).filteredOn(r -> r.value().getReason() == DeadLetterReason.CHECKPOINT_REJECTED).hasSize(2 * shards);
            assertThat(workerDlq).filteredOn(r -> r.value().getMessage().contains("declares 16000000000 parameters")).hasSize(shards);
            List<String> bombMessages = workerDlq.stream().map(r -> r.value().getMessage()).filter(m -> m.contains("inflates beyond")).toList();
            assertThat(bombMessages).hasSize(shards);
            // inflated once; the other shards refused at once by its sha256
            assertThat(bombMessages).filteredOn(m -> m.contains("remembered")).hasSize(shards - 1);

            assertThat(worker.isAlive()).as("the worker survived; log in " + log.toAbsolutePath()).isTrue();
            long peak = peakResidentBytes(worker.pid());
            LOG.info("hostile-inputs worker: peak resident memory {} MiB (budget {} MiB)", peak >> 20, WORKER_MEMORY_BUDGET >> 20);
            assertThat(peak).as("the worker's peak resident memory").isLessThan(WORKER_MEMORY_BUDGET);
            assertThat(planner.failure()).isNull();
            assertThat(planner.eventsPlanned()).isEqualTo(4); // valid-a, crafted, bomb, valid-b
        } finally {
            worker.kill();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** VmHWM of a live Linux process: the most resident memory it ever had. */
    private static long peakResidentBytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for process " + pid);
    }
}
