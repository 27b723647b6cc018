package dev.lethe.cli.demo;

import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code lethe demo} was asked to do.
 *
 * @param campaign   built-in campaign name or campaign file ({@code quick} with --quick, else {@code default})
 * @param seed       another seed for the campaign ({@link dev.lethe.trainer.campaign.Campaign#withSeed}), or null
 * @param out        output folder: metrics.jsonl, alerts.jsonl, report.html, checkpoints/, logs/
 * @param force      use {@code out} even when it is not empty and carries no demo marker
 * @param evaluators evaluator worker processes (>= 1)
 * @param chaos      SIGKILL a worker mid-shard and restart the aggregator mid-run
 * @param dataDir    folder with mnist-t10k/ for MNIST campaigns; may be null for digits
 * @param cluster    an existing cluster to use, or null for the embedded broker and registry
 * @param nodes      nodes of the embedded cluster (1: one broker in one child JVM; more: a {@code ChildCluster})
 * @param timeout    how long the pipeline may take before the demo gives up (exit 1)
 */
record DemoOptions(String campaign, Long seed, Path out, boolean force, int evaluators, boolean chaos, Path dataDir,
                   ClusterConfig cluster, int nodes, Duration timeout) {

    DemoOptions validated() {
        if (evaluators < 1 || evaluators > 32) {
            throw new IllegalArgumentException("--evaluators must be in 1..32, got " + evaluators);
        }
        if (nodes < 1 || nodes > 9) {
            throw new IllegalArgumentException("--nodes must be in 1..9, got " + nodes);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout-minutes must be > 0");
        }
        return this;
    }
}
