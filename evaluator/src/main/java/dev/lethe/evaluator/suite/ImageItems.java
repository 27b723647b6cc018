package dev.lethe.evaluator.suite;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Labelled images (pixels in [0,1], row-major) as suite items: the gold answer of item i is {@code labels[i]}.
 */
public record ImageItems(int width, int height, float[][] pixels, int[] labels, int numClasses) implements ItemSet {

    public ImageItems {
        if (pixels.length != labels.length) {
            throw new IllegalArgumentException(pixels.length + " images but " + labels.length + " labels");
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public ImageItems slice(int from, int to) {
        return new ImageItems(width, height, Arrays.copyOfRange(pixels, from, to), Arrays.copyOfRange(labels, from, to), numClasses);
    }

    @Override
    public void digest(MessageDigest digest) {
        ByteBuffer header = ByteBuffer.allocate(16).putInt(width).putInt(height).putInt(numClasses).putInt(labels.length);
        digest.update(header.array());
        ByteBuffer row = ByteBuffer.allocate(width * height * 4 + 4);
        for (int i = 0; i < labels.length; i++) {
            row.clear();
            for (float p : pixels[i]) {
                row.putFloat(p);
            }
            row.putInt(labels[i]);
            digest.update(row.array(), 0, row.position());
        }
    }

    /** A model guessing among {@code numClasses} classes is right one time in numClasses. */
    @Override
    public Double chancePct() {
        return 100.0 / numClasses;
    }
}
