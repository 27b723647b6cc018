package dev.lethe.evaluator.scoring;

import java.nio.ByteBuffer;

/**
 * Packs per-item correctness into the bitset carried by {@code ShardResult.itemBits}: bit {@code i}
 * (least significant bit first within each byte) is item {@code itemStart + i}.
 */
public final class ItemBits {

    private ItemBits() {
    }

    /** The packed form of {@code correct}: {@code ceil(n / 8)} bytes, unused high bits of the last byte zero. */
    public static byte[] pack(boolean[] correct) {
        byte[] bits = new byte[(correct.length + 7) / 8];
        for (int i = 0; i < correct.length; i++) {
            if (correct[i]) {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return bits;
    }

    /** The first {@code n} items of a packed bitset. */
    public static boolean[] unpack(byte[] bits, int n) {
        if (n < 0 || (n + 7) / 8 > bits.length) {
            throw new IllegalArgumentException("bitset of " + bits.length + " bytes cannot hold " + n + " items");
        }
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = (bits[i >>> 3] & (1 << (i & 7))) != 0;
        }
        return correct;
    }

    public static boolean[] unpack(ByteBuffer bits, int n) {
        ByteBuffer copy = bits.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return unpack(bytes, n);
    }

    /** Number of set bits among the first {@code n} items. */
    public static int count(byte[] bits, int n) {
        int count = 0;
        for (boolean b : unpack(bits, n)) {
            if (b) {
                count++;
            }
        }
        return count;
    }
}
