package dev.lethe.cli.ingest;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.evaluator.llm.harness.HarnessIngest;
import dev.lethe.evaluator.llm.harness.HarnessRun;
import dev.lethe.evaluator.llm.harness.TaskMapping;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.names.CheckpointNames;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.PlanPartitions;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe ingest lm-eval}: reads an lm-evaluation-harness {@code --log_samples} output directory and publishes
 * its per-item correctness as {@link ShardResult}s of one checkpoint on {@code lethe.shard-results} (key
 * campaign/model), with the checkpoint's plan on {@code lethe.checkpoint-plans}, so the aggregator computes forgetting
 * and paired-test alerts without Lethe rescoring and judges the checkpoint's categories on all its elements.
 */
@Command(name = "lm-eval", mixinStandardHelpOptions = true,
        description = {
            "Publish an lm-evaluation-harness run (--log_samples) as Lethe shard results of one checkpoint.",
            "",
            "Reads samples_<task>_<timestamp>.jsonl (newest per task) and results_<timestamp>.json under --samples,",
            "maps each task to an element and category (defaults for MMLU subjects by group, ARC, BoolQ, HellaSwag,",
            "PIQA, Winogrande, RACE, CrowS-Pairs, GSM8K; --mapping FILE for others), reads each document's metric",
            "(0/1) as its item bit and publishes, in one transaction, shards of --shard-size items and the checkpoint's",
            "plan (its elements, which the aggregator then waits for). Prints one line per element (items, score, the",
            "harness's own value) and the count published. Tasks without a mapping are skipped and listed on stderr.",
            "Run the same tasks on every checkpoint of a campaign, one checkpoint at a time in stage order: a stage",
            "ingested before an earlier one is first compared with the stage before that.",
            ""})
public final class IngestLmEvalCommand implements java.util.concurrent.Callable<Integer> {

    /** The longest --timeout: the transaction it bounds must stay under the brokers' default transaction.max.timeout.ms. */
    static final int MAX_TIMEOUT_SECONDS = 600;

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--samples", required = true, paramLabel = "DIR", description = "The harness's --output_path (or its model folder).")
    Path samples;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "Campaign id (no '/').")
    String campaign;

    @Option(names = "--family", required = true, paramLabel = "F", description = "Model family.")
    String family;

    @Option(names = "--model", required = true, paramLabel = "M", description = "Model run within the campaign (no '/').")
    String model;

    @Option(names = "--stage", required = true, paramLabel = "S", description = "Stage of the checkpoint the harness scored (0 = before fine-tuning).")
    int stage;

    @Option(names = "--task", paramLabel = "T", description = "Task stage S fine-tuned on (omit for stage 0).")
    String task;

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "JSON {\"tasks\": {\"<task>\": {\"element\", \"category\", \"metric\", \"filter\"?}}} over the defaults.")
    Path mapping;

    @Option(names = "--suite", paramLabel = "ID", defaultValue = "lm-eval", description = "Suite id of the results (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--shard-size", paramLabel = "N", defaultValue = "100", description = "Items per shard result (default: ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--created-at", paramLabel = "ISO-8601", description = "When the checkpoint was written (default: now).")
    String createdAt;

    @Option(names = "--dry-run", description = "Read, map and print, but publish nothing.")
    boolean dryRun;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "How long to wait for the cluster, at most 600 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        HarnessIngest.Checkpoint checkpoint = checkpoint();
        if (!Files.isDirectory(samples)) {
            throw new UsageException("--samples " + samples + " is not a directory");
        }
        if (mapping != null && !Files.isRegularFile(mapping)) {
            throw new UsageException("--mapping " + mapping + " is not a file");
        }
        HarnessIngest.Outcome outcome;
        try {
            HarnessRun run = HarnessRun.read(samples);
            TaskMapping tasks = mapping == null ? TaskMapping.defaults(run.groupSubtasks()) : TaskMapping.fromFile(mapping, run.groupSubtasks());
            outcome = HarnessIngest.ingest(run, tasks, checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + samples + " failed: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot ingest " + samples + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        outcome.skippedTasks().forEach(t -> err.printf("skipped task %s: no mapping (give one with --mapping)%n", t));
        outcome.elements().forEach((name, e) -> {
            out.printf("element\t%s\t%s\tmetric=%s\titems=%d\tscore=%.2f%%%s%n", name, e.category(), e.metric(), e.n(),
                    100.0 * e.correct() / e.n(), e.reportedMean() == null ? "" : String.format("\tharness=%.2f%%", 100 * e.reportedMean()));
            if (e.reportedMean() != null && Math.abs(e.reportedMean() - (double) e.correct() / e.n()) > 1e-9) {
                err.printf("warning: %s differs from the harness's results file (%.4f vs %.4f): are the samples from that run?%n",
                        name, (double) e.correct() / e.n(), e.reportedMean());
            }
        });
        err.flush();
        if (dryRun) {
            out.printf("dry run: %d shard results, suite %s version %s, checkpoint %s (nothing published)%n",
                    outcome.results().size(), suite, outcome.suiteVersion(), checkpoint.checkpointId());
        } else {
            ClusterConfig config = cluster.toConfig();
            publish(config, outcome.plan(), outcome.results());
            out.printf("published %d shard results to %s and the checkpoint's plan of %d elements to %s, suite %s version %s,"
                    + " checkpoint %s%n", outcome.results().size(), config.topics().shardResults().name(),
                    outcome.plan().getElements().size(), config.topics().checkpointPlans().name(), suite,
                    outcome.suiteVersion(), checkpoint.checkpointId());
        }
        out.flush();
        return 0;
    }

    private HarnessIngest.Checkpoint checkpoint() {
        // the rules lethe publish applies, so the aggregator never refuses a shard for its names after the plan
        // announced its element (a refusal of a run it does not know yet would not stop that wait)
        for (Map.Entry<String, String> id : Map.of("--campaign", campaign, "--model", model, "--family", family, "--suite", suite).entrySet()) {
            String problem = CheckpointNames.problem(id.getValue());
            if (problem != null) {
                throw new UsageException(id.getKey() + " " + problem);
            }
        }
        if (task != null && (task.isBlank() || task.length() > CheckpointNames.MAX_CHARS)) {
            throw new UsageException("--task must be non-blank and at most " + CheckpointNames.MAX_CHARS + " characters");
        }
        if (stage < 0) {
            throw new UsageException("--stage must be >= 0, got " + stage);
        }
        if (shardSize < 1) {
            throw new UsageException("--shard-size must be >= 1, got " + shardSize);
        }
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new UsageException("--timeout must be 1 to " + MAX_TIMEOUT_SECONDS + " seconds, got " + timeoutSeconds);
        }
        Instant created;
        try {
            created = createdAt == null ? Instant.now() : Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new UsageException("--created-at must be an ISO-8601 instant like 2026-01-01T12:00:00Z, got '" + createdAt + "'");
        }
        return new HarnessIngest.Checkpoint(campaign, family, model, stage, task, suite, shardSize, "lethe-ingest-lm-eval", created);
    }

    /**
     * Publishes the plan and the results in one transaction: the aggregator never sees the plan without the results (it
     * would wait for them) nor part of the results as the whole checkpoint, whatever happens to this process. The
     * transactional id names the checkpoint, so a second ingest of the same checkpoint fences the first.
     */
    private void publish(ClusterConfig config, CheckpointPlan plan, List<ShardResult> results) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        PlanPartitions.require(config, timeout);
        List<ProducerRecord<byte[], byte[]>> records = serialized(config, plan, results);
        Map<String, Object> props = new HashMap<>(CheckpointPublisher.producerProperties(config, timeout));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "lethe-ingest-lm-eval");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.topicPrefix() + "ingest-" + plan.getCheckpointId());
        // long enough for a cluster that answers within --timeout, and under the brokers' transaction.max.timeout.ms
        // (15 minutes by default; --timeout is at most 10). A cluster slower than that lets it expire: the coordinator
        // aborts it, and nothing of it is visible
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) timeout.plusSeconds(30).toMillis());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        boolean committing = false;
        try {
            producer.initTransactions();
            producer.beginTransaction();
            records.forEach(producer::send);
            committing = true;
            producer.commitTransaction();
        } catch (KafkaException e) {
            String visible = committing && e instanceof TimeoutException
                    ? "they may or may not be visible; running the ingest again is safe, the aggregator ignores what it already has"
                    : "none of them is visible; run the ingest again";
            throw new IllegalStateException("the cluster did not take the checkpoint's plan and " + results.size() + " shard results ("
                    + visible + "): " + e.getMessage(), e);
        } finally {
            producer.close(timeout); // aborts an open transaction; bounded, as the cluster may be gone
        }
    }

    /**
     * The plan and the results as records, serialized before the transaction begins: a schema registry that refuses
     * or is down fails the ingest before anything is sent, with its own message.
     */
    private static List<ProducerRecord<byte[], byte[]>> serialized(ClusterConfig config, CheckpointPlan plan, List<ShardResult> results) {
        Topics topics = config.topics();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (Serializer<CheckpointPlan> plans = AvroSerdes.forTopic(topics.checkpointPlans(), config).serializer();
                Serializer<ShardResult> shards = AvroSerdes.forTopic(topics.shardResults(), config).serializer()) {
            records.add(record(topics.checkpointPlans(), RecordKeys.checkpointPlan(plan), plans.serialize(topics.checkpointPlans().name(), plan)));
            for (ShardResult r : results) {
                records.add(record(topics.shardResults(), RecordKeys.shardResult(r), shards.serialize(topics.shardResults().name(), r)));
            }
        } catch (SerializationException e) {
            throw new IllegalStateException("cannot serialize the plan and the results with the schema registry at "
                    + config.schemaRegistryUrl() + " (nothing was published): " + e.getMessage(), e);
        }
        return records;
    }

    private static ProducerRecord<byte[], byte[]> record(Topic<?> topic, String key, byte[] value) {
        return new ProducerRecord<>(topic.name(), key.getBytes(StandardCharsets.UTF_8), value);
    }
}
