package dev.lethe.ml.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Converts {@link LabeledImages} to the ND4J arrays a DL4J network consumes: features flat {@code [n, w*h]}
 * (every Lethe model, MLP or CNN, takes flat input) and one-hot labels {@code [n, numClasses]}.
 */
public final class NdArrays {

    private NdArrays() {
    }

    /** Flat features of images {@code from..to-1}, shape {@code [to-from, width*height]}. */
    public static INDArray features(LabeledImages images, int from, int to) {
        float[][] rows = new float[to - from][];
        System.arraycopy(images.pixels(), from, rows, 0, to - from);
        return Nd4j.create(rows);
    }

    /** One-hot labels of images {@code from..to-1}, shape {@code [to-from, numClasses]}. */
    public static INDArray oneHotLabels(LabeledImages images, int from, int to) {
        float[][] rows = new float[to - from][images.numClasses()];
        for (int i = from; i < to; i++) {
            rows[i - from][images.labels()[i]] = 1f;
        }
        return Nd4j.create(rows);
    }

    /** Features and labels of images {@code from..to-1} as one mini-batch. */
    public static DataSet batch(LabeledImages images, int from, int to) {
        return new DataSet(features(images, from, to), oneHotLabels(images, from, to));
    }

    /** Features and labels of the images at {@code indices}, in that order, as one mini-batch. */
    public static DataSet batch(LabeledImages images, int[] indices) {
        LabeledImages selected = images.select(indices);
        return batch(selected, 0, selected.size());
    }
}
