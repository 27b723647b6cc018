package dev.lethe.ml.tasks;

import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import java.util.Arrays;
import java.util.Random;

/**
 * The task and robustness transforms of the continual protocols: pixel permutations (permuted tasks), class
 * filters (split tasks), Gaussian noise and shifts (robustness benchmarks). All are deterministic functions of
 * their arguments, so the trainer and the evaluator build identical data.
 */
public final class ImageTransforms {

    private ImageTransforms() {
    }

    /**
     * Adds Gaussian noise of standard deviation {@code sigma} to every pixel, clamped to [0,1]. The noise of the
     * image at position {@code i} of the input depends only on ({@code seed}, {@code i}): apply it to the whole
     * test set, then cut shards, and every evaluator sees the same items.
     */
    public static ImageTransform gaussianNoise(double sigma, long seed) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma must be a finite non-negative number, got " + sigma);
        }
        return images -> {
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                Random random = new Random(seed * 1_000_003L + i);
                float[] src = images.pixels()[i];
                float[] dst = new float[src.length];
                for (int k = 0; k < src.length; k++) {
                    double v = src[k] + sigma * random.nextGaussian();
                    dst[k] = (float) Math.max(0.0, Math.min(1.0, v));
                }
                out[i] = dst;
            }
            return new LabeledImages(images.width(), images.height(), out, images.labels(), images.numClasses());
        };
    }

    /**
     * Translates every image by {@code dx} pixels right and {@code dy} pixels down (negative: left/up); pixels
     * shifted in from outside are 0 (background).
     */
    public static ImageTransform shift(int dx, int dy) {
        return images -> {
            int w = images.width();
            int h = images.height();
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                float[] src = images.pixels()[i];
                float[] dst = new float[src.length];
                for (int y = 0; y < h; y++) {
                    int sy = y - dy;
                    if (sy < 0 || sy >= h) {
                        continue;
                    }
                    for (int x = 0; x < w; x++) {
                        int sx = x - dx;
                        if (sx >= 0 && sx < w) {
                            dst[y * w + x] = src[sy * w + sx];
                        }
                    }
                }
                out[i] = dst;
            }
            return new LabeledImages(w, h, out, images.labels(), images.numClasses());
        };
    }

    /** Reorders every image's pixels: output pixel {@code k} is input pixel {@code permutation[k]}. */
    public static ImageTransform permutation(int[] permutation) {
        int[] perm = permutation.clone();
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException("not a permutation of 0.." + (perm.length - 1));
            }
            seen[p] = true;
        }
        return images -> {
            if (images.featureCount() != perm.length) {
                throw new IllegalArgumentException("permutation of " + perm.length + " pixels applied to "
                        + images.featureCount() + "-pixel images");
            }
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                float[] src = images.pixels()[i];
                float[] dst = new float[src.length];
                for (int k = 0; k < dst.length; k++) {
                    dst[k] = src[perm[k]];
                }
                out[i] = dst;
            }
            return new LabeledImages(images.width(), images.height(), out, images.labels(), images.numClasses());
        };
    }

    /** A random permutation of {@code size} pixels, fixed by {@code seed}. */
    public static int[] randomPermutation(int size, long seed) {
        int[] perm = new int[size];
        for (int k = 0; k < size; k++) {
            perm[k] = k;
        }
        Datasets.shuffle(perm, new Random(seed));
        return perm;
    }

    /** Keeps only the images whose label is in {@code classes}, in their original order. */
    public static ImageTransform onlyClasses(int[] classes) {
        int[] sorted = classes.clone();
        Arrays.sort(sorted);
        return images -> {
            int[] keep = new int[images.size()];
            int n = 0;
            for (int i = 0; i < images.size(); i++) {
                if (Arrays.binarySearch(sorted, images.labels()[i]) >= 0) {
                    keep[n++] = i;
                }
            }
            return images.select(Arrays.copyOf(keep, n));
        };
    }
}
