package dev.lethe.evaluator.worker;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.scoring.Scorer;
import dev.lethe.evaluator.scoring.ScorerRegistry;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.evaluator.suite.InvalidSuiteException;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.suite.UnknownSuiteException;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A worker's per-task logic, without Kafka: rebuild the suite the task was planned from (checking its version,
 * element and shard layout), score the shard with the scorer of the checkpoint's format, and build the
 * {@link ShardResult}; every failure becomes a {@link TaskOutcome.Refused} with its dead-letter reason.
 */
public final class ShardTaskHandler {

    private final SuiteCatalog catalog;
    private final ScorerRegistry scorers;
    private final String evaluatorId;

    public ShardTaskHandler(SuiteCatalog catalog, ScorerRegistry scorers, String evaluatorId) {
        this.catalog = catalog;
        this.scorers = scorers;
        this.evaluatorId = evaluatorId;
    }

    public TaskOutcome handle(EvalTask task) throws InterruptedException {
        Suite suite;
        try {
            suite = catalog.resolve(task.getSuite(), task.getAttributes());
        } catch (UnknownSuiteException e) {
            return new TaskOutcome.Refused(DeadLetterReason.UNKNOWN_SUITE, e.getMessage(), e);
        } catch (InvalidSuiteException e) {
            return new TaskOutcome.Refused(DeadLetterReason.VALIDATION, e.getMessage(), e);
        }
        if (!suite.version().equals(task.getSuiteVersion())) {
            return new TaskOutcome.Refused(DeadLetterReason.SUITE_VERSION_MISMATCH, "task " + task.getTaskId()
                    + " was planned from suite version " + task.getSuiteVersion() + ", this worker builds " + suite.version(), null);
        }
        Optional<SuiteElement> found = suite.element(task.getBenchmark());
        if (found.isEmpty()) {
            return new TaskOutcome.Refused(DeadLetterReason.VALIDATION, "suite " + suite.id() + " has no benchmark " + task.getBenchmark(), null);
        }
        SuiteElement element = found.get();
        int shard = task.getShardIndex();
        if (task.getShardCount() != element.shardCount() || shard < 0 || shard >= element.shardCount()
                || task.getItemStart() != element.shardStart(shard) || task.getItemEnd() != element.shardEnd(shard)) {
            return new TaskOutcome.Refused(DeadLetterReason.SHARD_COUNT_MISMATCH, "task " + task.getTaskId() + " says shard "
                    + shard + "/" + task.getShardCount() + " items [" + task.getItemStart() + "," + task.getItemEnd() + "), "
                    + element.benchmark() + " has " + element.shardCount() + " shards of " + element.shardSize(), null);
        }
        Optional<Scorer> scorer = scorers.forFormat(task.getFormat());
        if (scorer.isEmpty()) {
            return new TaskOutcome.Refused(DeadLetterReason.VALIDATION, "no scorer for checkpoint format " + task.getFormat(), null);
        }
        long start = System.nanoTime();
        ShardScore score;
        try {
            score = scorer.get().score(task, element.shard(shard));
        } catch (CheckpointException e) {
            return new TaskOutcome.Refused(e.reason(), e.getMessage(), e);
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("scoring interrupted");
            }
            return new TaskOutcome.Refused(DeadLetterReason.SCORING_FAILED, "scoring " + task.getTaskId() + " failed: " + e, e);
        }
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        int expected = task.getItemEnd() - task.getItemStart();
        if (score.n() != expected || score.itemBits().length != (expected + 7) / 8) {
            return new TaskOutcome.Refused(DeadLetterReason.SCORING_FAILED, "scorer " + scorer.get().name() + " returned "
                    + score.n() + " items for a shard of " + expected, null);
        }
        if (score.logLikelihoodSum() != null && score.logLikelihoodSum().isNaN()) {
            return new TaskOutcome.Refused(DeadLetterReason.SCORING_FAILED, "scorer returned a NaN log-likelihood", null);
        }
        return new TaskOutcome.Scored(ShardResult.newBuilder()
                .setTaskId(task.getTaskId())
                .setCheckpointId(task.getCheckpointId())
                .setCampaign(task.getCampaign())
                .setFamily(task.getFamily())
                .setModel(task.getModel())
                .setStage(task.getStage())
                .setTask(task.getTask())
                .setSuite(task.getSuite())
                .setSuiteVersion(task.getSuiteVersion())
                .setBenchmark(task.getBenchmark())
                .setCategory(task.getCategory())
                .setShardIndex(shard)
                .setShardCount(task.getShardCount())
                .setItemStart(task.getItemStart())
                .setItemEnd(task.getItemEnd())
                .setN(score.n())
                .setCorrect(score.correct())
                .setItemBits(ByteBuffer.wrap(score.itemBits()))
                .setLogLikelihoodSum(score.logLikelihoodSum())
                .setScorer(scorer.get().name())
                .setEvaluatorId(evaluatorId)
                .setDurationMs(durationMs)
                .setStatus(ShardStatus.OK)
                .setCheckpointCreatedAt(task.getCheckpointCreatedAt())
                .setMetric(element.items().metric())
                .setPolarity(element.items().polarity())
                .setChancePct(element.items().chancePct())
                .setCheckpointSha256(task.getCheckpointSha256())
                .build());
    }
}
