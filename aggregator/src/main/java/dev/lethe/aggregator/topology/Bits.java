package dev.lethe.aggregator.topology;

import java.nio.ByteBuffer;

/** Per-item bitsets: bit i, LSB-first within each byte, is item i (ShardResult.avsc). */
final class Bits {

    private Bits() {
    }

    static byte[] toArray(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    static boolean get(byte[] bits, int i) {
        return (bits[i >>> 3] >>> (i & 7) & 1) == 1;
    }

    /** Ones among the first n bits. */
    static int count(byte[] bits, int n) {
        int ones = 0;
        for (int i = 0; i < n; i++) {
            if (get(bits, i)) {
                ones++;
            }
        }
        return ones;
    }

    /** Copies the first n bits of {@code from} to {@code to} starting at bit {@code offset}. */
    static void copy(byte[] from, int n, byte[] to, int offset) {
        for (int i = 0; i < n; i++) {
            if (get(from, i)) {
                int j = offset + i;
                to[j >>> 3] |= (byte) (1 << (j & 7));
            }
        }
    }
}
