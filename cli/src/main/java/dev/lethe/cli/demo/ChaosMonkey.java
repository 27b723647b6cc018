package dev.lethe.cli.demo;

import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --chaos}: once a quarter of the shards are scored, SIGKILLs evaluator worker 0 the moment it reports
 * it is scoring a shard (so the kill lands inside its open transaction) and starts it again; once half are
 * scored, restarts the aggregator on its state directory. The final metrics must not change.
 */
final class ChaosMonkey implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosMonkey.class);

    /** Restarts the aggregator (close, then start on the same state dir and application id). */
    interface AggregatorRestarter {
        void restart() throws Exception;
    }

    private final EvaluatorService evaluators;
    private final AggregatorRestarter aggregator;
    private final LongSupplier shardsScored;
    private final long totalShards;
    private final DemoProgress progress;
    private volatile boolean workerKilled;
    private volatile boolean aggregatorRestarted;

    ChaosMonkey(EvaluatorService evaluators, AggregatorRestarter aggregator, LongSupplier shardsScored, long totalShards,
                DemoProgress progress) {
        this.evaluators = evaluators;
        this.aggregator = aggregator;
        this.shardsScored = shardsScored;
        this.totalShards = totalShards;
        this.progress = progress;
    }

    boolean workerKilled() {
        return workerKilled;
    }

    boolean aggregatorRestarted() {
        return aggregatorRestarted;
    }

    @Override
    public void run() {
        try {
            awaitShards(totalShards / 4);
            killWorkerMidShard();
            awaitShards(totalShards / 2);
            progress.say("chaos: restarting the aggregator");
            aggregator.restart();
            aggregatorRestarted = true;
            progress.say("chaos: aggregator back up, restoring its state from the changelog");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("chaos step failed", e);
            progress.say("chaos: step failed: " + e);
        }
    }

    private void killWorkerMidShard() throws InterruptedException {
        WorkerProcess worker = evaluators.process(0);
        // wait for a new SCORING line: the worker is inside a shard's transaction right now
        long before = scoringLines(worker);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (scoringLines(worker) == before && worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        boolean scoring = scoringLines(worker) > before;
        String shard = worker.lines().stream().filter(l -> l.startsWith("SCORING")).reduce((a, b) -> b).orElse("?");
        long pid = worker.pid();
        evaluators.kill(0);
        workerKilled = true;
        progress.say("chaos: kill -9 evaluator worker " + evaluators.workerId(0) + " (pid " + pid + ")"
                + (scoring ? " while " + shard.toLowerCase() : " (no shard in flight)") + "; restarting it");
        evaluators.restart(0);
    }

    private static long scoringLines(WorkerProcess worker) {
        return worker.lines().stream().filter(l -> l.startsWith("SCORING")).count();
    }

    private void awaitShards(long threshold) throws InterruptedException {
        while (shardsScored.getAsLong() < Math.max(1, threshold)) {
            Thread.sleep(100);
        }
    }
}
