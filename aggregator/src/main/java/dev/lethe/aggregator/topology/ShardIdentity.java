package dev.lethe.aggregator.topology;

import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.ShardResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;

/**
 * What every shard of one (checkpoint, benchmark) must agree on, taken from the first shard received: the names the
 * element's score carries and the shape its shards were planned with. Encoded field by field, not as an Avro
 * ShardResult: plain Avro binary without its schema could not be read back once the ShardResult schema gains a field,
 * and the copy was built, encoded and decoded again for every shard.
 */
record ShardIdentity(String checkpointId, String campaign, String family, String model, int stage, String task,
                     String suite, String suiteVersion, String benchmark, String category, int shardCount, String metric,
                     MetricPolarity polarity, Double chancePct, Instant checkpointCreatedAt) {

    static ShardIdentity of(ShardResult shard) {
        return new ShardIdentity(shard.getCheckpointId(), shard.getCampaign(), shard.getFamily(), shard.getModel(),
                shard.getStage(), shard.getTask(), shard.getSuite(), shard.getSuiteVersion(), shard.getBenchmark(),
                shard.getCategory(), shard.getShardCount(), shard.getMetric(), shard.getPolarity(), shard.getChancePct(),
                shard.getCheckpointCreatedAt());
    }

    /** Null when {@code shard} names the same checkpoint and element (shard count and suite version aside), else why not. */
    String problemWith(ShardResult shard) {
        if (!campaign.equals(shard.getCampaign()) || !model.equals(shard.getModel()) || !family.equals(shard.getFamily())
                || stage != shard.getStage() || !Objects.equals(task, shard.getTask()) || !category.equals(shard.getCategory())
                || !suite.equals(shard.getSuite()) || !Objects.equals(metric, shard.getMetric())
                || !Objects.equals(polarity, shard.getPolarity()) || !Objects.equals(chancePct, shard.getChancePct())) {
            return "campaign/family/model/stage/task/suite/category/metric/polarity/chance differ from the element's earlier shards ("
                    + campaign + "/" + family + "/" + model + " stage " + stage + ", " + suite + ", " + category + ")";
        }
        return null;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeUTF(checkpointId);
        out.writeUTF(campaign);
        out.writeUTF(family);
        out.writeUTF(model);
        out.writeInt(stage);
        StateCodec.writeString(out, task);
        out.writeUTF(suite);
        out.writeUTF(suiteVersion);
        out.writeUTF(benchmark);
        out.writeUTF(category);
        out.writeInt(shardCount);
        StateCodec.writeString(out, metric);
        StateCodec.writeString(out, polarity == null ? null : polarity.name());
        out.writeBoolean(chancePct != null);
        if (chancePct != null) {
            out.writeDouble(chancePct);
        }
        StateCodec.writeInstant(out, checkpointCreatedAt);
    }

    static ShardIdentity read(DataInputStream in) throws IOException {
        String checkpointId = in.readUTF();
        String campaign = in.readUTF();
        String family = in.readUTF();
        String model = in.readUTF();
        int stage = in.readInt();
        String task = StateCodec.readString(in);
        String suite = in.readUTF();
        String suiteVersion = in.readUTF();
        String benchmark = in.readUTF();
        String category = in.readUTF();
        int shardCount = in.readInt();
        String metric = StateCodec.readString(in);
        String polarity = StateCodec.readString(in);
        Double chancePct = in.readBoolean() ? in.readDouble() : null;
        return new ShardIdentity(checkpointId, campaign, family, model, stage, task, suite, suiteVersion, benchmark,
                category, shardCount, metric, polarity == null ? null : MetricPolarity.valueOf(polarity), chancePct,
                StateCodec.readInstant(in));
    }
}
