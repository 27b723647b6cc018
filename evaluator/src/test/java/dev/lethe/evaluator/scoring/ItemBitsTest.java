package dev.lethe.evaluator.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ItemBitsTest {

    @Test
    void shouldPackLsbFirstWithinEachByteWhenPackingItems() {
        boolean[] correct = new boolean[10];
        correct[0] = true;  // byte 0 bit 0
        correct[3] = true;  // byte 0 bit 3
        correct[7] = true;  // byte 0 bit 7
        correct[9] = true;  // byte 1 bit 1

        byte[] bits = ItemBits.pack(correct);

        assertThat(bits).containsExactly((byte) 0b1000_1001, (byte) 0b0000_0010);
    }

    @Test
    void shouldRoundTripWhenUnpackingRandomBitsets() {
        Random random = new Random(7);
        for (int n : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 1000}) {
            boolean[] correct = new boolean[n];
            int expectedCount = 0;
            for (int i = 0; i < n; i++) {
                correct[i] = random.nextBoolean();
                expectedCount += correct[i] ? 1 : 0;
            }
            byte[] bits = ItemBits.pack(correct);
            assertThat(bits).hasSize((n + 7) / 8);
            assertThat(ItemBits.unpack(bits, n)).containsExactly(correct);
            assertThat(ItemBits.count(bits, n)).isEqualTo(expectedCount);
        }
    }

    @Test
    void shouldCountCorrectItemsWhenBuildingAShardScore() {
        ShardScore score = ShardScore.of(new boolean[] {true, false, true, true, false, false, false, false, true}, -1.5);

        assertThat(score.n()).isEqualTo(9);
        assertThat(score.correct()).isEqualTo(4);
        assertThat(score.itemBits()).containsExactly((byte) 0b0000_1101, (byte) 0b0000_0001);
        assertThat(score.logLikelihoodSum()).isEqualTo(-1.5);
    }

    @Test
    void shouldRefuseWhenBitsetIsTooShortForItemCount() {
        assertThatThrownBy(() -> ItemBits.unpack(new byte[1], 9)).isInstanceOf(IllegalArgumentException.class);
    }
}
