package dev.lethe.evaluator.planner;

import dev.lethe.schemas.CheckpointReady;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The identity rule: a checkpoint id names one set of weights. The first planned {@link CheckpointReady} for an id
 * fixes its sha256; a later event for the same id with the same sha256 is a harmless republish (planned again, the
 * same task ids, deduplicated downstream), one with another sha256 is refused as {@code CHECKPOINT_CONFLICT}, because
 * its scores would otherwise be mixed with or silently dropped in favour of the first model's. New weights need a
 * new id (another campaign or model name).
 *
 * <p>Pure and in memory: the planner fills it by replaying {@code lethe.checkpoints} at start and records each batch's
 * events as pending until the batch's transaction commits, so an aborted batch leaves no trace. About 200 bytes per
 * checkpoint id (100,000 checkpoints: ~20 MB).
 */
final class CheckpointIdentities {

    private final Map<String, String> committed = new HashMap<>();
    private final Map<String, String> pending = new HashMap<>();

    /** Why {@code event} conflicts with the checkpoint its id already names, or null when it does not. */
    public String conflict(CheckpointReady event) {
        String known = shaOf(event.getCheckpointId());
        String sha = normalized(event.getCheckpointSha256());
        if (known == null || known.equals(sha)) {
            return null;
        }
        return "checkpoint " + event.getCheckpointId() + " was published with sha256 " + known + "; this event names sha256 "
                + sha + " (" + event.getCheckpointUri() + "). A checkpoint id names one set of weights: publish other "
                + "weights under another campaign or model name";
    }

    /** Records {@code event} as planned in the current batch (the first planned sha256 of an id wins). */
    public void planned(CheckpointReady event) {
        if (shaOf(event.getCheckpointId()) == null) {
            pending.put(event.getCheckpointId(), normalized(event.getCheckpointSha256()));
        }
    }

    /** The batch's transaction committed: its events' identities hold from now on. */
    public void commit() {
        committed.putAll(pending);
        pending.clear();
    }

    /** The batch's transaction aborted: its events will be planned again. */
    public void abort() {
        pending.clear();
    }

    public int size() {
        return committed.size();
    }

    private String shaOf(String checkpointId) {
        String sha = pending.get(checkpointId);
        return sha != null ? sha : committed.get(checkpointId);
    }

    private static String normalized(String sha256) {
        return sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT);
    }
}
