package dev.lethe.ml.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled set of grey-scale images (pixels in [0,1], row-major, one row per image): the data both the trainer
 * trains on and the evaluator scores, in one fixed item order.
 *
 * @param width      image width in pixels
 * @param height     image height in pixels
 * @param pixels     {@code pixels[i]} is image i, {@code width * height} values in [0,1], row-major
 * @param labels     {@code labels[i]} is the class of image i, in {@code [0, numClasses)}
 * @param numClasses number of classes of the dataset (also when a subset holds fewer)
 */
public record LabeledImages(int width, int height, float[][] pixels, int[] labels, int numClasses) {

    public LabeledImages {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != labels.length) {
            throw new IllegalArgumentException(pixels.length + " images but " + labels.length + " labels");
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        for (int i = 0; i < pixels.length; i++) {
            if (pixels[i].length != width * height) {
                throw new IllegalArgumentException("image " + i + " has " + pixels[i].length + " pixels, expected "
                        + width * height);
            }
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("image " + i + " has label " + labels[i] + " outside [0,"
                        + numClasses + ")");
            }
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Pixels per image ({@code width * height}), the input width of a flat model. */
    public int featureCount() {
        return width * height;
    }

    /** The images at {@code indices}, in that order (pixel arrays are shared, not copied). */
    public LabeledImages select(int[] indices) {
        float[][] p = new float[indices.length][];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            p[i] = pixels[indices[i]];
            l[i] = labels[indices[i]];
        }
        return new LabeledImages(width, height, p, l, numClasses);
    }

    /** The images from {@code from} (inclusive) to {@code to} (exclusive), e.g. one evaluation shard. */
    public LabeledImages range(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        return new LabeledImages(width, height, Arrays.copyOfRange(pixels, from, to),
                Arrays.copyOfRange(labels, from, to), numClasses);
    }

    /** This set followed by {@code other} (same geometry and class count). */
    public LabeledImages concat(LabeledImages other) {
        if (other.width != width || other.height != height || other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot concatenate " + width + "x" + height + "/" + numClasses
                    + " with " + other.width + "x" + other.height + "/" + other.numClasses);
        }
        float[][] p = Arrays.copyOf(pixels, size() + other.size());
        System.arraycopy(other.pixels, 0, p, size(), other.size());
        int[] l = Arrays.copyOf(labels, size() + other.size());
        System.arraycopy(other.labels, 0, l, size(), other.size());
        return new LabeledImages(width, height, p, l, numClasses);
    }

    /** Images per class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledImages other && width == other.width && height == other.height
                && numClasses == other.numClasses && Arrays.equals(labels, other.labels)
                && Arrays.deepEquals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, numClasses, Arrays.hashCode(labels), Arrays.deepHashCode(pixels));
    }

    @Override
    public String toString() {
        return "LabeledImages[" + size() + " images " + width + "x" + height + ", " + numClasses + " classes]";
    }
}
