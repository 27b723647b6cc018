package dev.lethe.evaluator.scoring;

import dev.lethe.evaluator.suite.ImageItems;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.EvalTask;
import java.time.Duration;

/**
 * A benchmarking and testing aid: spends a fixed time per shard (e.g. 1 ms or 200 ms), loads no checkpoint,
 * and answers synthetically (an image item counts as correct when its label is even; other items never).
 * Selected with {@code lethe.evaluator.scorer=sleep}; never use it for real metrics.
 */
public final class SleepScorer implements Scorer {

    private final Duration cost;

    public SleepScorer(Duration cost) {
        this.cost = cost;
    }

    @Override
    public String name() {
        return "sleep-" + cost.toMillis() + "ms";
    }

    @Override
    public ShardScore score(EvalTask task, ItemSet items) throws InterruptedException {
        if (!cost.isZero()) {
            Thread.sleep(cost.toMillis(), cost.toNanosPart() % 1_000_000);
        }
        boolean[] correct = new boolean[items.size()];
        if (items instanceof ImageItems images) {
            for (int i = 0; i < correct.length; i++) {
                correct[i] = images.labels()[i] % 2 == 0;
            }
        }
        return ShardScore.of(correct, null);
    }
}
