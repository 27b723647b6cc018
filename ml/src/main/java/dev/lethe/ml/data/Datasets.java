package dev.lethe.ml.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The datasets Lethe's small-scale campaigns train and evaluate on: {@code digits} (scikit-learn's 8x8 digits,
 * shipped with this module) and {@code mnist} (the MNIST 10k test set as IDX files under a data directory), plus
 * the one deterministic train/test split both the trainer and the evaluator use.
 */
public final class Datasets {

    /** scikit-learn's 8x8 digits, 1,797 images, shipped as a classpath resource (see DIGITS-NOTICE.md). */
    public static final String DIGITS = "digits";
    /** MNIST's 10,000-image test set (IDX), read from a data directory; split into our own train and test parts. */
    public static final String MNIST = "mnist";
    /** Seed of the fixed train/test split, so every campaign and every evaluator sees the same test items. */
    public static final long SPLIT_SEED = 20_230_817L;
    /** Share of every class held out for testing. */
    public static final double TEST_FRACTION = 0.2;

    static final String DIGITS_RESOURCE = "/dev/lethe/ml/data/digits.csv.gz";
    static final String MNIST_FOLDER = "mnist-t10k";
    static final String MNIST_IMAGES = "t10k-images-idx3-ubyte";
    static final String MNIST_LABELS = "t10k-labels-idx1-ubyte";

    private Datasets() {
    }

    /** The training and the held-out part of one dataset. */
    public record Split(LabeledImages train, LabeledImages test) {
    }

    /**
     * Loads a dataset by name.
     *
     * @param name    {@code digits} or {@code mnist}
     * @param dataDir for {@code mnist}: the folder holding {@code t10k-images-idx3-ubyte[.gz]} and
     *                {@code t10k-labels-idx1-ubyte[.gz]}, or its parent holding {@code mnist-t10k/}; ignored for
     *                {@code digits}; may be null for digits
     */
    public static LabeledImages load(String name, Path dataDir) {
        if (DIGITS.equals(name)) {
            return digits();
        }
        if (MNIST.equals(name)) {
            if (dataDir == null) {
                throw new IllegalArgumentException("dataset mnist needs a data directory (--data-dir) holding "
                        + MNIST_FOLDER + "/" + MNIST_IMAGES + ".gz");
            }
            return mnist(dataDir);
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "' (expected " + DIGITS + " or " + MNIST + ")");
    }

    /** The names {@link #load} accepts. */
    public static List<String> names() {
        return List.of(DIGITS, MNIST);
    }

    /** The fixed split of {@link #SPLIT_SEED}: what trainer and evaluator use. */
    public static Split split(LabeledImages images) {
        return split(images, SPLIT_SEED);
    }

    /**
     * A deterministic stratified split: within every class the images are shuffled with {@code seed}
     * ({@link Random}, whose algorithm the JDK specifies) and {@link #TEST_FRACTION} of them held out. Both parts
     * keep the original item order, so the test set's item order is fixed.
     */
    public static Split split(LabeledImages images, long seed) {
        Random random = new Random(seed);
        boolean[] test = new boolean[images.size()];
        for (int c = 0; c < images.numClasses(); c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                if (images.labels()[i] == c) {
                    members.add(i);
                }
            }
            int[] order = members.stream().mapToInt(Integer::intValue).toArray();
            shuffle(order, random);
            int held = (int) Math.round(order.length * TEST_FRACTION);
            for (int k = 0; k < held; k++) {
                test[order[k]] = true;
            }
        }
        int testCount = 0;
        for (boolean t : test) {
            testCount += t ? 1 : 0;
        }
        int[] trainIdx = new int[images.size() - testCount];
        int[] testIdx = new int[testCount];
        int a = 0;
        int b = 0;
        for (int i = 0; i < images.size(); i++) {
            if (test[i]) {
                testIdx[b++] = i;
            } else {
                trainIdx[a++] = i;
            }
        }
        return new Split(images.select(trainIdx), images.select(testIdx));
    }

    /** Fisher-Yates with a caller-owned {@link Random}: the one shuffle used for splits, permutations and orders. */
    public static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    static LabeledImages digits() {
        try (InputStream raw = Datasets.class.getResourceAsStream(DIGITS_RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("digits resource missing from the classpath: " + DIGITS_RESOURCE);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            List<float[]> pixels = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != 65) {
                    throw new IllegalStateException("digits row " + (labels.size() + 1) + " has " + cells.length
                            + " cells, expected 65");
                }
                float[] p = new float[64];
                for (int k = 0; k < 64; k++) {
                    // the 8x8 digits count "on" pixels of 4x4 blocks: 0..16
                    p[k] = Integer.parseInt(cells[k].trim()) / 16f;
                }
                pixels.add(p);
                labels.add(Integer.parseInt(cells[64].trim()));
            }
            return new LabeledImages(8, 8, pixels.toArray(float[][]::new),
                    labels.stream().mapToInt(Integer::intValue).toArray(), 10);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped digits dataset", e);
        }
    }

    static LabeledImages mnist(Path dataDir) {
        Path dir = Files.isDirectory(dataDir.resolve(MNIST_FOLDER)) ? dataDir.resolve(MNIST_FOLDER) : dataDir;
        Path images = existing(dir, MNIST_IMAGES);
        Path labels = existing(dir, MNIST_LABELS);
        try {
            return IdxReader.read(images, labels);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST IDX files in " + dir, e);
        }
    }

    private static Path existing(Path dir, String base) {
        for (String candidate : Arrays.asList(base + ".gz", base)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no " + base + "[.gz] in " + dir.toAbsolutePath()
                + " (point --data-dir at the folder holding " + MNIST_FOLDER + "/)");
    }
}
