package dev.lethe.trainer.data;

import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import java.nio.file.Path;

/**
 * Replay data disjoint from every evaluation element of a digits campaign: the MNIST 10k set resampled to the 8x8
 * geometry of scikit-learn's digits. No image of it is, or is derived from, an image of the digits suite, so
 * rehearsing it is rehearsing another dataset of the same label space, not the distribution the domain-knowledge
 * elements measure (docs/FINDINGS.md, the general-data analog).
 */
public final class ReplayData {

    private ReplayData() {
    }

    /** MNIST under {@code dataDir}, resampled to {@code width x height} (8x8 for the digits). */
    public static LabeledImages mnistAs(Path dataDir, int width, int height) {
        return resample(Datasets.load(Datasets.MNIST, dataDir), width, height);
    }

    /**
     * Crops the centred square whose side is the largest multiple of the target size (28x28 -> 24x24 for 8x8, the
     * 20x20 digit box of MNIST plus a 2-pixel margin) and averages each block, so every pixel stays in [0,1].
     */
    public static LabeledImages resample(LabeledImages images, int width, int height) {
        int bx = images.width() / width;
        int by = images.height() / height;
        if (bx < 1 || by < 1) {
            throw new IllegalArgumentException("cannot resample " + images.width() + "x" + images.height() + " down to "
                    + width + "x" + height);
        }
        int x0 = (images.width() - bx * width) / 2;
        int y0 = (images.height() - by * height) / 2;
        float[][] out = new float[images.size()][width * height];
        for (int i = 0; i < images.size(); i++) {
            float[] src = images.pixels()[i];
            float[] dst = out[i];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float sum = 0;
                    for (int dy = 0; dy < by; dy++) {
                        int row = (y0 + y * by + dy) * images.width();
                        for (int dx = 0; dx < bx; dx++) {
                            sum += src[row + x0 + x * bx + dx];
                        }
                    }
                    dst[y * width + x] = sum / (bx * by);
                }
            }
        }
        return new LabeledImages(width, height, out, images.labels().clone(), images.numClasses());
    }
}
