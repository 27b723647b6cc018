package dev.lethe.producer;

import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.names.CheckpointNames;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules a {@link CheckpointReady} must satisfy before it goes on {@code lethe.checkpoints}, and its
 * derived identities (key {@code campaign/model}, checkpointId {@code campaign/model/stage}).
 */
public final class CheckpointEvents {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private CheckpointEvents() {
    }

    /** The record key: {@code campaign/model}, so every stage of one model run lands on one partition in order. */
    public static String key(CheckpointReady event) {
        return event.getCampaign() + "/" + event.getModel();
    }

    /** The deterministic checkpoint id {@code campaign/model/stage}. */
    public static String checkpointId(String campaign, String model, int stage) {
        return CheckpointNames.checkpointId(campaign, model, stage);
    }

    /**
     * Checks every field and returns a normalised copy: checkpointId filled in when absent, sha256 lower-cased,
     * createdAt defaulted to now. Throws {@link InvalidCheckpointEventException} naming the field and flag.
     */
    public static CheckpointReady validated(CheckpointReady event) {
        if (event == null) {
            throw new InvalidCheckpointEventException("event", "event", "must not be null");
        }
        String campaign = id(event.getCampaign(), "campaign", "--campaign");
        String family = id(event.getFamily(), "family", "--family");
        String model = id(event.getModel(), "model", "--model");
        if (event.getStage() < 0) {
            throw new InvalidCheckpointEventException("stage", "--stage", "must be >= 0 (0 = before fine-tuning), got " + event.getStage());
        }
        String expectedId = checkpointId(campaign, model, event.getStage());
        String checkpointId = event.getCheckpointId();
        if (checkpointId == null || checkpointId.isBlank()) {
            checkpointId = expectedId;
        } else if (!checkpointId.equals(expectedId)) {
            throw new InvalidCheckpointEventException("checkpointId", "--checkpoint-id",
                    "must be campaign/model/stage = '" + expectedId + "', got '" + checkpointId + "'");
        }
        String task = event.getTask();
        if (task != null && task.isBlank()) {
            throw new InvalidCheckpointEventException("task", "--task", "must not be empty when given");
        }
        uri(event.getCheckpointUri());
        String sha = event.getCheckpointSha256();
        if (sha == null || !SHA256.matcher(sha).matches()) {
            throw new InvalidCheckpointEventException("checkpointSha256", "--sha256",
                    "must be 64 hex digits (SHA-256 of the checkpoint bytes), got '" + sha + "'");
        }
        if (event.getFormat() == null) {
            throw new InvalidCheckpointEventException("format", "--format", "must be set");
        }
        String suite = nonEmpty(event.getSuite(), "suite", "--suite");
        if (event.getTrainingStep() < 0) {
            throw new InvalidCheckpointEventException("trainingStep", "--step", "must be >= 0, got " + event.getTrainingStep());
        }
        if (event.getParameterCount() != null && event.getParameterCount() < 0) {
            throw new InvalidCheckpointEventException("parameterCount", "--parameter-count",
                    "must be >= 0, got " + event.getParameterCount());
        }
        Map<String, String> attributes = event.getAttributes() == null ? Map.of() : event.getAttributes();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                throw new InvalidCheckpointEventException("attributes", "--attr",
                        "entries must be key=value with a non-empty key, got '" + e.getKey() + "=" + e.getValue() + "'");
            }
        }
        Instant createdAt = event.getCreatedAt() == null ? Instant.now() : event.getCreatedAt();
        return CheckpointReady.newBuilder(event)
                .setCheckpointId(checkpointId)
                .setCampaign(campaign)
                .setFamily(family)
                .setModel(model)
                .setSuite(suite)
                .setCheckpointSha256(sha.toLowerCase(Locale.ROOT))
                .setAttributes(attributes)
                .setCreatedAt(createdAt)
                .build();
    }

    private static String id(String value, String field, String flag) {
        // the planner applies the same rule to raw events (CheckpointNames)
        String problem = CheckpointNames.problem(value);
        if (problem != null) {
            throw new InvalidCheckpointEventException(field, flag, problem);
        }
        return value;
    }

    private static String nonEmpty(String value, String field, String flag) {
        if (value == null || value.isBlank()) {
            throw new InvalidCheckpointEventException(field, flag, "must not be empty");
        }
        if (!value.equals(value.strip())) {
            throw new InvalidCheckpointEventException(field, flag, "must not start or end with whitespace, got '" + value + "'");
        }
        return value;
    }

    private static void uri(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidCheckpointEventException("checkpointUri", "--uri", "must not be empty");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidCheckpointEventException("checkpointUri", "--uri", "is not a valid URI: " + e.getMessage());
        }
        if (uri.getScheme() == null) {
            throw new InvalidCheckpointEventException("checkpointUri", "--uri",
                    "must be an absolute URI with a scheme (e.g. file:/path/to/ckpt.zip), got '" + value + "'");
        }
    }
}
