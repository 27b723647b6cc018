package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.Statistics;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.ShardResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The shards of one (checkpoint, benchmark) received so far; once complete only the identity is kept, so a late
 * duplicate is recognised and an inconsistent one is still dead-lettered.
 */
final class ShardSet {

    private static final byte VERSION = 1;

    /** One received shard. */
    record Part(int itemStart, int n, int correct, byte[] bits) {
    }

    private final ShardResult template; // identity fields of the first shard (bits cleared)
    private final TreeMap<Integer, Part> parts;
    private boolean complete;

    private ShardSet(ShardResult template, TreeMap<Integer, Part> parts, boolean complete) {
        this.template = template;
        this.parts = parts;
        this.complete = complete;
    }

    static ShardSet startingWith(ShardResult first) {
        ShardResult template = ShardResult.newBuilder(first).setItemBits(ByteBuffer.allocate(0)).setN(0).setCorrect(0)
                .setShardIndex(0).setItemStart(0).setItemEnd(0).build();
        return new ShardSet(template, new TreeMap<>(), false);
    }

    int shardCount() {
        return template.getShardCount();
    }

    String suiteVersion() {
        return template.getSuiteVersion();
    }

    boolean complete() {
        return complete;
    }

    boolean has(int shardIndex) {
        return parts.containsKey(shardIndex);
    }

    /** Null when {@code shard} describes the same checkpoint and element as the earlier shards, else why not. */
    String identityProblem(ShardResult shard) {
        if (!template.getCampaign().equals(shard.getCampaign()) || !template.getModel().equals(shard.getModel())
                || !template.getFamily().equals(shard.getFamily()) || template.getStage() != shard.getStage()
                || !Objects.equals(template.getTask(), shard.getTask()) || !template.getCategory().equals(shard.getCategory())
                || !template.getSuite().equals(shard.getSuite())
                || !Objects.equals(template.getMetric(), shard.getMetric())
                || !Objects.equals(template.getPolarity(), shard.getPolarity())
                || !Objects.equals(template.getChancePct(), shard.getChancePct())) {
            return "campaign/family/model/stage/task/suite/category/metric/polarity/chance differ from the element's earlier shards ("
                    + template.getCampaign() + "/" + template.getFamily() + "/" + template.getModel() + " stage "
                    + template.getStage() + ", " + template.getSuite() + ", " + template.getCategory() + ")";
        }
        return null;
    }

    /** Null when the shard's item range overlaps none already received, else why it does. */
    String overlapProblem(ShardResult shard) {
        for (Map.Entry<Integer, Part> entry : parts.entrySet()) {
            Part part = entry.getValue();
            if (shard.getItemStart() < part.itemStart() + part.n() && part.itemStart() < shard.getItemEnd()) {
                return "items [" + shard.getItemStart() + ", " + shard.getItemEnd() + ") overlap shard " + entry.getKey()
                        + " [" + part.itemStart() + ", " + (part.itemStart() + part.n()) + ")";
            }
        }
        return null;
    }

    void add(ShardResult shard) {
        parts.put(shard.getShardIndex(), new Part(shard.getItemStart(), shard.getN(), shard.getCorrect(),
                Bits.toArray(shard.getItemBits())));
    }

    boolean allShardsIn() {
        return parts.size() == shardCount();
    }

    /** Null when the received shards cover one contiguous item range, else why not. */
    String gapProblem() {
        int expected = -1;
        for (Part part : byItemStart().values()) {
            if (expected >= 0 && part.itemStart() != expected) {
                return "the shards leave items [" + expected + ", " + part.itemStart() + ") unscored";
            }
            expected = part.itemStart() + part.n();
        }
        return null;
    }

    void forget(int shardIndex) {
        parts.remove(shardIndex);
    }

    private TreeMap<Integer, Part> byItemStart() {
        TreeMap<Integer, Part> sorted = new TreeMap<>();
        parts.values().forEach(p -> sorted.put(p.itemStart(), p));
        return sorted;
    }

    /** The element's score from all its shards; afterwards only the identity is kept. */
    BenchmarkScore completeScore(Instant completedAt) {
        int n = 0;
        int correct = 0;
        for (Part part : parts.values()) {
            n += part.n();
            correct += part.correct();
        }
        byte[] bits = new byte[(n + 7) / 8];
        int offset = 0;
        for (Part part : byItemStart().values()) {
            Bits.copy(part.bits(), part.n(), bits, offset);
            offset += part.n();
        }
        BenchmarkScore score = BenchmarkScore.newBuilder()
                .setCheckpointId(template.getCheckpointId())
                .setCampaign(template.getCampaign())
                .setFamily(template.getFamily())
                .setModel(template.getModel())
                .setStage(template.getStage())
                .setTask(template.getTask())
                .setSuite(template.getSuite())
                .setSuiteVersion(template.getSuiteVersion())
                .setBenchmark(template.getBenchmark())
                .setCategory(template.getCategory())
                .setN(n)
                .setCorrect(correct)
                .setAccuracyPct(100.0 * correct / n)
                .setStderrPp(Statistics.stderrPp(n, correct))
                .setItemBits(ByteBuffer.wrap(bits))
                .setShardsSeen(parts.size())
                .setMetric(template.getMetric())
                .setPolarity(template.getPolarity())
                .setChancePct(template.getChancePct())
                .setCheckpointCreatedAt(template.getCheckpointCreatedAt())
                .setUpdatedAt(completedAt)
                .build();
        parts.clear();
        complete = true;
        return score;
    }

    static final Serde<ShardSet> SERDE = StateCodec.serde(ShardSet::write, ShardSet::read);

    private static void write(ShardSet set, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        StateCodec.writeRecord(out, set.template);
        out.writeBoolean(set.complete);
        out.writeInt(set.parts.size());
        for (Map.Entry<Integer, Part> entry : set.parts.entrySet()) {
            out.writeInt(entry.getKey());
            out.writeInt(entry.getValue().itemStart());
            out.writeInt(entry.getValue().n());
            out.writeInt(entry.getValue().correct());
            StateCodec.writeBytes(out, entry.getValue().bits());
        }
    }

    private static ShardSet read(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown shard-set state version " + version);
        }
        ShardResult template = StateCodec.readRecord(in, ShardResult.class);
        boolean complete = in.readBoolean();
        int count = in.readInt();
        TreeMap<Integer, Part> parts = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int index = in.readInt();
            parts.put(index, new Part(in.readInt(), in.readInt(), in.readInt(), StateCodec.readBytes(in)));
        }
        return new ShardSet(template, parts, complete);
    }
}
