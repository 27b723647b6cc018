package dev.lethe.testkit;

import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The ShardResults an evaluator would publish for one element of one checkpoint, from the items written as a 0/1
 * string (one character per item, '1' right): for tests that feed the aggregator without training or scoring.
 */
public final class ItemShards {

    /** Who the shards say they are: the run's names, the suite, and the scorer that "scored" them. */
    public record Origin(String campaign, String family, String model, String suite, String suiteVersion, String scorer,
                         String evaluatorId, Instant checkpointCreatedAt) {

        /** {@code campaign/model/stage}, as the trainer names checkpoints. */
        public String checkpointId(int stage) {
            return campaign + "/" + model + "/" + stage;
        }
    }

    private ItemShards() {
    }

    /** The item bitset of a 0/1 string, as ShardResult.itemBits packs it (item i at bit i % 8 of byte i / 8). */
    public static byte[] bits(String items) {
        byte[] bits = new byte[(items.length() + 7) / 8];
        for (int i = 0; i < items.length(); i++) {
            if (items.charAt(i) == '1') {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return bits;
    }

    /** How many items of a 0/1 string are right. */
    public static int correct(String items) {
        return (int) items.chars().filter(c -> c == '1').count();
    }

    /** The shards of {@code items} split into {@code shardCount} near-equal contiguous ranges. */
    public static List<ShardResult> of(Origin origin, int stage, String task, String benchmark, String category,
                                       String items, int shardCount) {
        List<ShardResult> shards = new ArrayList<>();
        int n = items.length();
        for (int index = 0; index < shardCount; index++) {
            int start = n * index / shardCount;
            int end = n * (index + 1) / shardCount;
            String slice = items.substring(start, end);
            byte[] bits = bits(slice);
            int correct = correct(slice);
            shards.add(ShardResult.newBuilder()
                    .setTaskId(origin.checkpointId(stage) + "/" + benchmark + "/" + index)
                    .setCheckpointId(origin.checkpointId(stage))
                    .setCampaign(origin.campaign())
                    .setFamily(origin.family())
                    .setModel(origin.model())
                    .setStage(stage)
                    .setTask(task)
                    .setSuite(origin.suite())
                    .setSuiteVersion(origin.suiteVersion())
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
                    .setScorer(origin.scorer())
                    .setEvaluatorId(origin.evaluatorId())
                    .setDurationMs(1)
                    .setStatus(ShardStatus.OK)
                    .setCheckpointCreatedAt(origin.checkpointCreatedAt())
                    .build());
        }
        return shards;
    }
}
