package dev.lethe.cli.multi;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import java.nio.ByteBuffer;
import java.time.Instant;

/** ShardResults as an evaluator would publish them, for tests that feed the aggregator without training. */
final class SyntheticShards {

    private SyntheticShards() {
    }

    /** One shard covering a whole element; {@code items} is a 0/1 string, one character per item. */
    static ShardResult whole(RunKey run, int stage, String benchmark, String category, String items) {
        byte[] bits = new byte[(items.length() + 7) / 8];
        int correct = 0;
        for (int i = 0; i < items.length(); i++) {
            if (items.charAt(i) == '1') {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
                correct++;
            }
        }
        String checkpoint = run.campaign() + "/" + run.model() + "/" + stage;
        return ShardResult.newBuilder().setTaskId(checkpoint + "/" + benchmark + "/0").setCheckpointId(checkpoint)
                .setCampaign(run.campaign()).setFamily(run.family()).setModel(run.model()).setStage(stage)
                .setTask(stage == 0 ? null : "task-" + stage).setSuite("synthetic").setSuiteVersion("v1")
                .setBenchmark(benchmark).setCategory(category).setShardIndex(0).setShardCount(1)
                .setItemStart(0).setItemEnd(items.length()).setN(items.length()).setCorrect(correct)
                .setItemBits(ByteBuffer.wrap(bits)).setScorer("synthetic").setEvaluatorId("test").setDurationMs(1)
                .setStatus(ShardStatus.OK).setCheckpointCreatedAt(Instant.EPOCH).build();
    }
}
