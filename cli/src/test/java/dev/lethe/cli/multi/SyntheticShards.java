package dev.lethe.cli.multi;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.ShardResult;
import dev.lethe.testkit.ItemShards;
import java.time.Instant;

/** ShardResults as an evaluator would publish them, for tests that feed the aggregator without training. */
final class SyntheticShards {

    private SyntheticShards() {
    }

    /** One shard covering a whole element; {@code items} is a 0/1 string, one character per item. */
    static ShardResult whole(RunKey run, int stage, String benchmark, String category, String items) {
        ItemShards.Origin origin = new ItemShards.Origin(run.campaign(), run.family(), run.model(), "synthetic", "v1",
                "synthetic", "test", Instant.EPOCH);
        return ItemShards.of(origin, stage, stage == 0 ? null : "task-" + stage, benchmark, category, items, 1).get(0);
    }
}
