package dev.lethe.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.testkit.ItemShards;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardSetTest {

    private static final RunKey RUN = new RunKey("camp", "fam", "model-a");
    private static final String ITEMS = "1101100111" + "0010111";

    @Test
    void shouldGiveTheSameScoreWhenItsStateIsWrittenAndReadBetweenShards() {
        List<ShardResult> shards = bias(Shards.of(RUN, 2, "bench", "cat", ITEMS, 3));

        ShardSet set = ShardSet.startingWith(shards.get(0));
        for (ShardResult shard : shards) {
            set = roundTrip(set);
            set.add(shard);
        }
        BenchmarkScore score = roundTrip(set).completeScore(Instant.EPOCH);

        assertThat(score.getCorrect()).isEqualTo(ITEMS.chars().filter(c -> c == '1').count());
        assertThat(score.getItemBits()).isEqualTo(ByteBuffer.wrap(ItemShards.bits(ITEMS)));
        assertThat(score.getPolarity()).isEqualTo(MetricPolarity.CLOSER_TO_50_IS_BETTER);
        assertThat(score.getChancePct()).isEqualTo(50.0);
        assertThat(score.getMetric()).isEqualTo("pct_stereotype");
        assertThat(score.getTask()).isEqualTo("task-2");
        assertThat(score.getCheckpointCreatedAt()).isEqualTo(shards.get(0).getCheckpointCreatedAt());
    }

    @Test
    void shouldReadTheStateOfAnEarlierVersionWhenItKeptTheIdentityAsAnAvroShardResult() throws IOException {
        ShardResult first = bias(Shards.of(RUN, 2, "bench", "cat", ITEMS, 3)).get(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) { // version 1, as written until this change
            out.writeByte(1);
            StateCodec.writeRecord(out, ShardResult.newBuilder(first).setItemBits(ByteBuffer.allocate(0)).build());
            out.writeBoolean(false);
            out.writeInt(1);
            out.writeInt(first.getShardIndex());
            out.writeInt(first.getItemStart());
            out.writeInt(first.getN());
            out.writeInt(first.getCorrect());
            StateCodec.writeBytes(out, ItemBits.toArray(first.getItemBits()));
        }

        ShardSet read = ShardSet.SERDE.deserializer().deserialize("t", bytes.toByteArray());

        assertThat(read.has(first.getShardIndex())).isTrue();
        assertThat(read.shardCount()).isEqualTo(3);
        assertThat(read.identityProblem(first)).isNull();
        assertThat(read.identityProblem(ShardResult.newBuilder(first).setChancePct(25.0).build())).contains("differ");
        assertThat(roundTrip(read).identityProblem(first)).isNull();
    }

    private static List<ShardResult> bias(List<ShardResult> shards) {
        return shards.stream().map(s -> ShardResult.newBuilder(s).setMetric("pct_stereotype")
                .setPolarity(MetricPolarity.CLOSER_TO_50_IS_BETTER).setChancePct(50.0).build()).toList();
    }

    private static ShardSet roundTrip(ShardSet set) {
        return ShardSet.SERDE.deserializer().deserialize("t", ShardSet.SERDE.serializer().serialize("t", set));
    }

}
