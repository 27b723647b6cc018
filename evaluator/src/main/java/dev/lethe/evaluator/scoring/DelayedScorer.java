package dev.lethe.evaluator.scoring;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.EvalTask;
import java.time.Duration;

/**
 * A testing aid: adds a fixed delay before a real scorer, so tests can kill a worker while it is
 * provably mid-shard ({@code lethe.evaluator.scorer.delay.ms} with the model scorer).
 */
final class DelayedScorer implements Scorer {

    private final Scorer delegate;
    private final Duration delay;

    public DelayedScorer(Scorer delegate, Duration delay) {
        this.delegate = delegate;
        this.delay = delay;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public ShardScore score(EvalTask task, ItemSet items) throws CheckpointException, InterruptedException {
        Thread.sleep(delay.toMillis());
        return delegate.score(task, items);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
