package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.Statistics;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The shards of one (checkpoint, benchmark) received so far; once complete only the identity is kept, so a late
 * duplicate is recognised and an inconsistent one is still dead-lettered.
 */
final class ShardSet {

    /** 1 kept the identity as an Avro ShardResult (still read); 2 field by field ({@link ShardIdentity}). */
    private static final byte AVRO_TEMPLATE = 1;
    private static final byte VERSION = 2;

    /** One received shard. */
    record Part(int itemStart, int n, int correct, byte[] bits) {
    }

    private final ShardIdentity identity;
    private final TreeMap<Integer, Part> parts;
    private boolean complete;

    private ShardSet(ShardIdentity identity, TreeMap<Integer, Part> parts, boolean complete) {
        this.identity = identity;
        this.parts = parts;
        this.complete = complete;
    }

    static ShardSet startingWith(ShardResult first) {
        return new ShardSet(ShardIdentity.of(first), new TreeMap<>(), false);
    }

    int shardCount() {
        return identity.shardCount();
    }

    String suiteVersion() {
        return identity.suiteVersion();
    }

    boolean complete() {
        return complete;
    }

    boolean has(int shardIndex) {
        return parts.containsKey(shardIndex);
    }

    /** Null when {@code shard} describes the same checkpoint and element as the earlier shards, else why not. */
    String identityProblem(ShardResult shard) {
        return identity.problemWith(shard);
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
                ItemBits.toArray(shard.getItemBits())));
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
            ItemBits.copy(part.bits(), part.n(), bits, offset);
            offset += part.n();
        }
        BenchmarkScore score = BenchmarkScore.newBuilder()
                .setCheckpointId(identity.checkpointId())
                .setCampaign(identity.campaign())
                .setFamily(identity.family())
                .setModel(identity.model())
                .setStage(identity.stage())
                .setTask(identity.task())
                .setSuite(identity.suite())
                .setSuiteVersion(identity.suiteVersion())
                .setBenchmark(identity.benchmark())
                .setCategory(identity.category())
                .setN(n)
                .setCorrect(correct)
                .setAccuracyPct(100.0 * correct / n)
                .setStderrPp(Statistics.stderrPp(n, correct))
                .setItemBits(ByteBuffer.wrap(bits))
                .setShardsSeen(parts.size())
                .setMetric(identity.metric())
                .setPolarity(identity.polarity())
                .setChancePct(identity.chancePct())
                .setCheckpointCreatedAt(identity.checkpointCreatedAt())
                .setUpdatedAt(completedAt)
                .build();
        parts.clear();
        complete = true;
        return score;
    }

    static final Serde<ShardSet> SERDE = StateCodec.serde(ShardSet::write, ShardSet::read);

    private static void write(ShardSet set, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        set.identity.write(out);
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
        ShardIdentity identity = switch (version) {
            case VERSION -> ShardIdentity.read(in);
            case AVRO_TEMPLATE -> ShardIdentity.of(StateCodec.readRecord(in, ShardResult.class));
            default -> throw new IOException("unknown shard-set state version " + version);
        };
        boolean complete = in.readBoolean();
        int count = in.readInt();
        TreeMap<Integer, Part> parts = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int index = in.readInt();
            parts.put(index, new Part(in.readInt(), in.readInt(), in.readInt(), StateCodec.readBytes(in)));
        }
        return new ShardSet(identity, parts, complete);
    }
}
