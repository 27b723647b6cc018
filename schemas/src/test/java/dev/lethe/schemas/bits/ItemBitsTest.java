package dev.lethe.schemas.bits;

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
    void shouldRefuseWhenBitsetIsTooShortForItemCount() {
        assertThatThrownBy(() -> ItemBits.unpack(new byte[1], 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ItemBits.count(new byte[1], 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldIgnoreTheBitsPastTheItemsWhenCounting() {
        assertThat(ItemBits.count(new byte[] {(byte) 0xff, (byte) 0xff}, 11)).isEqualTo(11);
        assertThat(ItemBits.count(new byte[] {(byte) 0xff}, 0)).isZero();
    }

    @Test
    void shouldJoinShardsBitForBitWhenCopyingAtAnyOffset() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            int offset = random.nextInt(40);
            int n = random.nextInt(70);
            byte[] from = new byte[(n + 7) / 8 + random.nextInt(2)];
            random.nextBytes(from); // bits past n are noise the copy must ignore
            byte[] before = new byte[(offset + n + 7) / 8 + random.nextInt(2)];
            random.nextBytes(before); // the copy ORs into what is there and leaves the rest as it was
            byte[] to = before.clone();
            ItemBits.copy(from, n, to, offset);
            for (int i = 0; i < to.length * 8; i++) {
                boolean expected = i >= offset && i < offset + n ? ItemBits.get(from, i - offset) || ItemBits.get(before, i)
                        : ItemBits.get(before, i);
                assertThat(ItemBits.get(to, i)).as("bit %d of a copy of %d bits at %d", i, n, offset).isEqualTo(expected);
            }
        }
    }
}
