package dev.lethe.cli.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code lethe bench} was asked to do, with the sizes of each benchmark derived from --records and
 * --quick.
 *
 * @param out     where the JSON report goes, or null for none
 * @param dataDir folder holding mnist-t10k/ (the scoring benchmarks are skipped without it)
 * @param records shard results for the consumer and aggregator benchmarks
 * @param quick   smaller samples everywhere (about a minute and a half instead of a few minutes)
 * @param keep    keep the work directory (logs, checkpoints, state) instead of deleting it
 * @param only    the benchmarks to run (a subset of {@link #BENCHMARKS}); all of them by default
 */
record BenchOptions(Path out, Path dataDir, long records, boolean quick, boolean keep, Set<String> only) {

    /** The benchmarks, in the order they run. */
    static final List<String> BENCHMARKS = List.of("aggregator", "e2e", "scoring", "scaling", "llm");

    static final long DEFAULT_RECORDS = 20_000;
    static final long QUICK_RECORDS = 5_000;

    BenchOptions validated() {
        if (records < 1_000 || records > 5_000_000) {
            throw new IllegalArgumentException("--records must be in 1000..5000000, got " + records);
        }
        for (String name : only) {
            if (!BENCHMARKS.contains(name)) {
                throw new IllegalArgumentException("--only takes " + String.join(",", BENCHMARKS) + ", got '" + name + "'");
            }
        }
        return this;
    }

    BenchOptions {
        only = only == null || only.isEmpty() ? new LinkedHashSet<>(BENCHMARKS) : new LinkedHashSet<>(only);
    }

    boolean runs(String benchmark) {
        return only.contains(benchmark);
    }

    /** Model runs published one checkpoint at a time for the latency sample (6 checkpoints each). */
    int latencyModelRuns() {
        return quick ? 2 : 5;
    }

    int rawConsumerPasses() {
        return 3;
    }

    /**
     * The least number of aggregator passes on throwaway topics before the measured one, so that the JIT compiler has
     * compiled the aggregator's code when it is timed; more follow until the JIT is quiet (AggregatorBench). The
     * reference pass-through is warmed up by the same rule.
     */
    int aggregatorWarmups() {
        return quick ? 1 : 3;
    }

    int rawDl4jPasses() {
        return quick ? 2 : 3;
    }

    int evaluatorRuns() {
        return quick ? 3 : 5;
    }

    /**
     * digits-cl checkpoints (32 shards each) for one worker and for four; the same with --quick, because fewer
     * tasks hash less evenly over the partitions and the figure would measure the hashing rather than the workers.
     */
    int scalingCheckpoints(int workers) {
        return workers == 1 ? 2 : 8;
    }

    /** Items per pass of llm_scorer_vs_raw_client (4 prompts each) and the passes. */
    int llmItems() {
        return quick ? 500 : 1_000;
    }

    int llmPasses() {
        return quick ? 3 : 5;
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmarks", List.copyOf(only));
        m.put("records", records);
        m.put("quick", quick);
        m.put("data_dir", dataDir == null ? null : dataDir.toString());
        m.put("latency_checkpoints", latencyModelRuns() * 6);
        m.put("latency_warmup_checkpoints", 6);
        m.put("raw_consumer_passes", rawConsumerPasses());
        m.put("aggregator_warmup_passes", aggregatorWarmups());
        m.put("raw_dl4j_passes", rawDl4jPasses());
        m.put("evaluator_runs", evaluatorRuns());
        m.put("scaling_shards_1_worker", scalingCheckpoints(1) * 32);
        m.put("scaling_shards_4_workers", scalingCheckpoints(4) * 32);
        m.put("llm_items", llmItems());
        m.put("llm_passes", llmPasses());
        return m;
    }
}
