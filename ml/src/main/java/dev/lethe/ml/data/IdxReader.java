package dev.lethe.ml.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads MNIST's IDX files (plain or gzip): idx3 unsigned-byte images and idx1 unsigned-byte labels. */
final class IdxReader {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    /** A guard against a corrupt header asking for gigabytes. */
    private static final long MAX_PIXELS = 200_000_000L;

    private IdxReader() {
    }

    /** Images scaled to [0,1] with their labels (10 classes). */
    public static LabeledImages read(Path imagesFile, Path labelsFile) throws IOException {
        int[] labels = readLabels(labelsFile);
        try (DataInputStream in = open(imagesFile)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(imagesFile + ": not an idx3 unsigned-byte file (magic 0x"
                        + Integer.toHexString(magic) + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > MAX_PIXELS) {
                throw new IOException(imagesFile + ": implausible header " + count + "x" + rows + "x" + cols);
            }
            if (count != labels.length) {
                throw new IOException(imagesFile + " holds " + count + " images but " + labelsFile + " "
                        + labels.length + " labels");
            }
            byte[] buffer = new byte[rows * cols];
            float[][] pixels = new float[count][];
            for (int i = 0; i < count; i++) {
                in.readFully(buffer);
                float[] p = new float[buffer.length];
                for (int k = 0; k < buffer.length; k++) {
                    p[k] = (buffer[k] & 0xff) / 255f;
                }
                pixels[i] = p;
            }
            return new LabeledImages(cols, rows, pixels, labels, 10);
        }
    }

    static int[] readLabels(Path labelsFile) throws IOException {
        try (DataInputStream in = open(labelsFile)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IOException(labelsFile + ": not an idx1 unsigned-byte file (magic 0x"
                        + Integer.toHexString(magic) + ")");
            }
            int count = in.readInt();
            if (count < 0 || count > MAX_PIXELS) {
                throw new IOException(labelsFile + ": implausible label count " + count);
            }
            byte[] raw = new byte[count];
            in.readFully(raw);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
                if (labels[i] > 9) {
                    throw new IOException(labelsFile + ": label " + labels[i] + " at " + i + " outside 0..9");
                }
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.getFileName().toString().endsWith(".gz")
                ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }
}
