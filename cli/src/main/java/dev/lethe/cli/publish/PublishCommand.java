package dev.lethe.cli.publish;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.producer.CheckpointEvents;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.producer.InvalidCheckpointEventException;
import dev.lethe.producer.PublishReceipt;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe publish}: announces one checkpoint on {@code lethe.checkpoints} (key campaign/model) through the
 * producer module's {@link CheckpointPublisher}, for trainers that are not written in Java.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {
            "Announce a checkpoint: publish one CheckpointReady event.",
            "",
            "Validates the flags, then sends through an idempotent producer (acks=all) to <prefix>checkpoints",
            "with key campaign/model; checkpointId is campaign/model/stage. Prints one line:",
            "  topic=T partition=P offset=O key=K checkpointId=ID",
            "Exit 2 on an invalid flag (the message names it), 1 when the cluster does not accept the event.",
            ""})
public final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "Campaign id (no '/').")
    String campaign;

    @Option(names = "--family", required = true, paramLabel = "F", description = "Model family, e.g. mlp.")
    String family;

    @Option(names = "--model", required = true, paramLabel = "M", description = "Model run name within the campaign (no '/').")
    String model;

    @Option(names = "--stage", required = true, paramLabel = "S", description = "Stage: 0 = before fine-tuning, 1..S after each stage.")
    int stage;

    @Option(names = "--task", paramLabel = "T", description = "Task stage S fine-tuned on (omit for stage 0).")
    String task;

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "Checkpoint location, e.g. file:/ckpt/m1-3.zip.")
    String uri;

    @Option(names = "--sha256", required = true, paramLabel = "HEX", description = "SHA-256 of the checkpoint bytes (64 hex digits).")
    String sha256;

    @Option(names = "--format", required = true, paramLabel = "FMT",
            description = "Checkpoint format: ${COMPLETION-CANDIDATES}.")
    CheckpointFormat format;

    @Option(names = "--suite", required = true, paramLabel = "SUITE", description = "Benchmark suite id, e.g. digits-cl.")
    String suite;

    @Option(names = "--step", paramLabel = "N", defaultValue = "0", description = "Training step (default: ${DEFAULT-VALUE}).")
    long step;

    @Option(names = "--attr", paramLabel = "KEY=VALUE", description = "Attribute, e.g. protocol=permuted (repeatable).")
    Map<String, String> attributes = new LinkedHashMap<>();

    @Option(names = "--parameter-count", paramLabel = "N", description = "Number of trainable parameters.")
    Long parameterCount;

    @Option(names = "--checkpoint-id", paramLabel = "ID", description = "Explicit checkpointId; must equal campaign/model/stage.")
    String checkpointId;

    @Option(names = "--created-at", paramLabel = "ISO-8601", description = "When the checkpoint was written (default: now).")
    String createdAt;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the cluster (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new UsageException("--timeout must be >= 1 second, got " + timeoutSeconds);
        }
        CheckpointReady event;
        try {
            event = CheckpointEvents.validated(toEvent());
        } catch (InvalidCheckpointEventException e) {
            throw new UsageException(e.getMessage());
        }
        ClusterConfig config = cluster.toConfig();
        PublishReceipt receipt;
        try (CheckpointPublisher publisher = new CheckpointPublisher(config, Duration.ofSeconds(timeoutSeconds))) {
            receipt = publisher.publish(event);
        }
        spec.commandLine().getOut().printf("topic=%s partition=%d offset=%d key=%s checkpointId=%s%n",
                receipt.topic(), receipt.partition(), receipt.offset(), receipt.key(), receipt.checkpointId());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private CheckpointReady toEvent() {
        Instant created;
        try {
            created = createdAt == null ? Instant.now() : Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new UsageException("--created-at must be an ISO-8601 instant like 2026-01-01T12:00:00Z, got '" + createdAt + "'");
        }
        // the Avro builder rejects nulls in non-null fields; absent flags become empty strings so the
        // validator reports them by flag name
        return CheckpointReady.newBuilder()
                .setCheckpointId(checkpointId == null ? "" : checkpointId)
                .setCampaign(campaign).setFamily(family).setModel(model).setStage(stage).setTask(task)
                .setCheckpointUri(uri).setCheckpointSha256(sha256).setFormat(format).setSuite(suite)
                .setTrainingStep(step).setCreatedAt(created).setAttributes(Map.copyOf(attributes))
                .setParameterCount(parameterCount)
                .build();
    }
}
