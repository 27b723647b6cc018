package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.ShardResult;
import dev.lethe.testkit.ItemShards;
import java.time.Instant;
import java.util.List;

/** Builds the ShardResults an evaluator would publish for one element of one checkpoint. */
public final class Shards {

    public static final String SUITE = "test-suite";
    public static final String SUITE_VERSION = "v1";

    private Shards() {
    }

    public static String checkpointId(RunKey run, int stage) {
        return run.campaign() + "/" + run.model() + "/" + stage;
    }

    /** The shards of {@code items} (a 0/1 string) split into {@code shardCount} near-equal contiguous ranges. */
    public static List<ShardResult> of(RunKey run, int stage, String benchmark, String category, String items, int shardCount) {
        return of(run, stage, stage == 0 ? null : "task-" + stage, benchmark, category, items, shardCount);
    }

    /** As {@link #of(RunKey, int, String, String, String, int)}, for a stage that fine-tuned on {@code task}. */
    public static List<ShardResult> of(RunKey run, int stage, String task, String benchmark, String category, String items,
                                       int shardCount) {
        ItemShards.Origin origin = new ItemShards.Origin(run.campaign(), run.family(), run.model(), SUITE, SUITE_VERSION,
                "test", "worker-1", Instant.parse("2026-01-01T00:00:00Z"));
        return ItemShards.of(origin, stage, task, benchmark, category, items, shardCount);
    }

    /** A 0/1 string of n items with the first {@code correct} right. */
    public static String items(int n, int correct) {
        return "1".repeat(correct) + "0".repeat(n - correct);
    }

    /** The cell the metric library sees once all shards of the element are in. */
    public static ScoreCell cell(int stage, String benchmark, String category, String items, Instant completedAt) {
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, benchmark, category, items.length(),
                ItemShards.correct(items), ItemShards.bits(items), completedAt);
    }
}
