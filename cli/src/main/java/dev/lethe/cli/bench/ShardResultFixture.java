package dev.lethe.cli.bench;

import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.topics.RecordKeys;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic, valid ShardResults shaped like a campaign: {@code runs} model runs (in 4 families) x stages 0..S x
 * B benchmarks (in 4 categories) x K shards of {@code itemsPerShard} items, in the order a campaign produces them
 * (stage by stage, the runs interleaved). Accuracy drifts down with the stage, so the aggregator computes real
 * forgetting and raises some alerts. Deterministic for a seed. Pure.
 *
 * @param runs          model runs
 * @param stages        fine-tuning stages S (stage 0 comes on top)
 * @param benchmarks    benchmark elements B per checkpoint
 * @param shards        shards K per benchmark
 * @param itemsPerShard items per shard
 * @param campaign      the campaign every record names: two fixtures of other campaigns are other model runs
 */
record ShardResultFixture(int runs, int stages, int benchmarks, int shards, int itemsPerShard, String campaign) {

    static final String CAMPAIGN = "bench";
    static final String SUITE = "bench-suite";
    static final String SUITE_VERSION = "0".repeat(64);
    static final int FAMILIES = 4;
    static final int CATEGORIES = 4;

    ShardResultFixture {
        if (runs < 1 || stages < 0 || benchmarks < 1 || shards < 1 || itemsPerShard < 1 || campaign.isBlank()) {
            throw new IllegalArgumentException("runs, benchmarks, shards and items must be >= 1 and stages >= 0");
        }
    }

    /** The metric table's shape: 20 stages x 16 benchmarks, 4 shards of 250 items, enough runs for {@code records}. */
    static ShardResultFixture forRecords(long records) {
        ShardResultFixture one = new ShardResultFixture(1, 20, 16, 4, 250, CAMPAIGN);
        int runs = (int) Math.max(1, (records + one.recordsPerRun() - 1) / one.recordsPerRun());
        return new ShardResultFixture(runs, 20, 16, 4, 250, CAMPAIGN);
    }

    /** The same shape and scores under another campaign: as many records, of other model runs. */
    ShardResultFixture withCampaign(String other) {
        return new ShardResultFixture(runs, stages, benchmarks, shards, itemsPerShard, other);
    }

    long recordsPerRun() {
        return (long) (stages + 1) * benchmarks * shards;
    }

    long records() {
        return recordsPerRun() * runs;
    }

    /** The record key every Lethe ShardResult carries: campaign/model. */
    static String key(ShardResult r) {
        return RecordKeys.shardResult(r);
    }

    /** All records of one stage across the runs, in production order. */
    List<ShardResult> stage(int stage) {
        List<ShardResult> out = new ArrayList<>((int) (runs * (long) benchmarks * shards));
        for (int run = 0; run < runs; run++) {
            for (int b = 0; b < benchmarks; b++) {
                for (int shard = 0; shard < shards; shard++) {
                    out.add(result(run, stage, b, shard));
                }
            }
        }
        return out;
    }

    /** The planner's plan of one checkpoint: it tells the aggregator which elements' scores are awaited. */
    CheckpointPlan plan(int run, int stage) {
        List<PlannedElement> elements = new ArrayList<>(benchmarks);
        for (int b = 0; b < benchmarks; b++) {
            ShardResult shard = result(run, stage, b, 0);
            elements.add(new PlannedElement(shard.getBenchmark(), shard.getCategory()));
        }
        ShardResult first = result(run, stage, 0, 0);
        return CheckpointPlan.newBuilder()
                .setCheckpointId(first.getCheckpointId())
                .setCampaign(first.getCampaign())
                .setFamily(first.getFamily())
                .setModel(first.getModel())
                .setStage(stage)
                .setSuite(SUITE)
                .setSuiteVersion(SUITE_VERSION)
                .setElements(elements)
                .build();
    }

    /** The plans of one stage across the runs. */
    List<CheckpointPlan> plans(int stage) {
        List<CheckpointPlan> out = new ArrayList<>(runs);
        for (int run = 0; run < runs; run++) {
            out.add(plan(run, stage));
        }
        return out;
    }

    ShardResult result(int run, int stage, int benchmark, int shard) {
        String model = "run-" + run;
        String checkpointId = campaign + "/" + model + "/" + stage;
        SplittableRandom random = new SplittableRandom(((run * 1_000_003L + stage) * 1_009L + benchmark) * 131L + shard);
        // each benchmark forgets at its own pace; one in eight collapses at stage 3 (alert material)
        double accuracy = 0.92 - stage * 0.004 * (1 + benchmark % 4);
        if (benchmark % 8 == 7 && stage >= 3) {
            accuracy -= 0.3;
        }
        boolean[] correct = new boolean[itemsPerShard];
        int right = 0;
        for (int i = 0; i < itemsPerShard; i++) {
            correct[i] = random.nextDouble() < accuracy;
            right += correct[i] ? 1 : 0;
        }
        String bench = String.format("b%02d", benchmark);
        return ShardResult.newBuilder()
                .setTaskId(checkpointId + "/" + bench + "/" + shard)
                .setCheckpointId(checkpointId)
                .setCampaign(campaign)
                .setFamily("fam-" + run % FAMILIES)
                .setModel(model)
                .setStage(stage)
                .setTask(stage == 0 ? null : "perm-" + stage)
                .setSuite(SUITE)
                .setSuiteVersion(SUITE_VERSION)
                .setBenchmark(bench)
                .setCategory("cat-" + benchmark % CATEGORIES)
                .setShardIndex(shard)
                .setShardCount(shards)
                .setItemStart(shard * itemsPerShard)
                .setItemEnd((shard + 1) * itemsPerShard)
                .setN(itemsPerShard)
                .setCorrect(right)
                .setItemBits(ByteBuffer.wrap(ItemBits.pack(correct)))
                .setLogLikelihoodSum(null)
                .setScorer("bench-fixture")
                .setEvaluatorId("bench")
                .setDurationMs(1)
                .setStatus(ShardStatus.OK)
                .setCheckpointCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L + stage * 60_000L))
                .build();
    }
}
