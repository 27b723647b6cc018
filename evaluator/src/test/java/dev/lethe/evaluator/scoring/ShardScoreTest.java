package dev.lethe.evaluator.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardScoreTest {

    @Test
    void shouldCountCorrectItemsWhenBuildingAShardScore() {
        ShardScore score = ShardScore.of(new boolean[] {true, false, true, true, false, false, false, false, true}, -1.5);

        assertThat(score.n()).isEqualTo(9);
        assertThat(score.correct()).isEqualTo(4);
        assertThat(score.itemBits()).containsExactly((byte) 0b0000_1101, (byte) 0b0000_0001);
        assertThat(score.logLikelihoodSum()).isEqualTo(-1.5);
    }
}
