package dev.lethe.schemas.bits;

import java.nio.ByteBuffer;

/**
 * The per-item bitsets of {@code ShardResult.itemBits} and {@code BenchmarkScore.itemBits}: bit {@code i} (least
 * significant bit first within each byte) is item {@code itemStart + i}. The one place that knows the layout: the
 * evaluator packs it, the aggregator validates, joins and compares it.
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
        requireRoom(bits, n);
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = get(bits, i);
        }
        return correct;
    }

    public static boolean[] unpack(ByteBuffer bits, int n) {
        return unpack(toArray(bits), n);
    }

    /** The bytes left in {@code buffer}, copied (its position untouched); none for null. */
    public static byte[] toArray(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** Item {@code i}. */
    public static boolean get(byte[] bits, int i) {
        return (bits[i >>> 3] >>> (i & 7) & 1) == 1;
    }

    /** Number of set bits among the first {@code n} items; the bits past them are ignored. */
    public static int count(byte[] bits, int n) {
        requireRoom(bits, n);
        int whole = n >>> 3;
        int ones = 0;
        for (int b = 0; b < whole; b++) {
            ones += Integer.bitCount(bits[b] & 0xFF);
        }
        int rest = n & 7;
        if (rest != 0) {
            ones += Integer.bitCount(bits[whole] & ((1 << rest) - 1));
        }
        return ones;
    }

    /**
     * ORs the first {@code n} items of {@code from} into {@code to} from item {@code offset} on; the bits of {@code from}
     * past {@code n} are ignored. A shard's bits join its element's this way, byte by byte.
     */
    public static void copy(byte[] from, int n, byte[] to, int offset) {
        requireRoom(from, n);
        requireRoom(to, offset + n);
        int shift = offset & 7;
        int at = offset >>> 3;
        for (int b = 0; b < (n + 7) >>> 3; b++) {
            int valid = Math.min(8, n - 8 * b);
            int value = from[b] & 0xFF & ((1 << valid) - 1);
            int spread = value << shift; // up to 15 bits: this byte of `to` and, when shifted, the next
            to[at + b] |= (byte) spread;
            if (spread >>> 8 != 0) {
                to[at + b + 1] |= (byte) (spread >>> 8);
            }
        }
    }

    private static void requireRoom(byte[] bits, int n) {
        if (n < 0 || (n + 7) / 8 > bits.length) {
            throw new IllegalArgumentException("bitset of " + bits.length + " bytes cannot hold " + n + " items");
        }
    }
}
