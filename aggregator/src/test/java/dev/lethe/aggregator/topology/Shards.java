package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
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
        List<ShardResult> shards = new ArrayList<>();
        int n = items.length();
        for (int index = 0; index < shardCount; index++) {
            int start = n * index / shardCount;
            int end = n * (index + 1) / shardCount;
            String slice = items.substring(start, end);
            byte[] bits = new byte[(slice.length() + 7) / 8];
            int correct = 0;
            for (int i = 0; i < slice.length(); i++) {
                if (slice.charAt(i) == '1') {
                    bits[i >>> 3] |= (byte) (1 << (i & 7));
                    correct++;
                }
            }
            shards.add(ShardResult.newBuilder()
                    .setTaskId(checkpointId(run, stage) + "/" + benchmark + "/" + index)
                    .setCheckpointId(checkpointId(run, stage))
                    .setCampaign(run.campaign())
                    .setFamily(run.family())
                    .setModel(run.model())
                    .setStage(stage)
                    .setTask(task)
                    .setSuite(SUITE)
                    .setSuiteVersion(SUITE_VERSION)
                    .setBenchmark(benchmark)
                    .setCategory(category)
                    .setShardIndex(index)
                    .setShardCount(shardCount)
                    .setItemStart(start)
                    .setItemEnd(end)
                    .setN(end - start)
                    .setCorrect(correct)
                    .setItemBits(ByteBuffer.wrap(bits))
                    .setLogLikelihoodSum(null)
                    .setScorer("test")
                    .setEvaluatorId("worker-1")
                    .setDurationMs(1)
                    .setStatus(ShardStatus.OK)
                    .setCheckpointCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                    .build());
        }
        return shards;
    }

    /** A 0/1 string of n items with the first {@code correct} right. */
    public static String items(int n, int correct) {
        return "1".repeat(correct) + "0".repeat(n - correct);
    }

    /** The cell the metric library sees once all shards of the element are in. */
    public static ScoreCell cell(int stage, String benchmark, String category, String items, Instant completedAt) {
        byte[] bits = new byte[(items.length() + 7) / 8];
        int correct = 0;
        for (int i = 0; i < items.length(); i++) {
            if (items.charAt(i) == '1') {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
                correct++;
            }
        }
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, benchmark, category, items.length(), correct,
                bits, completedAt);
    }
}
