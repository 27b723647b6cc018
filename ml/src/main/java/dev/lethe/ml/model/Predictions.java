package dev.lethe.ml.model;

import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.data.NdArrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Batched inference of a DL4J classifier over {@link LabeledImages}: predicted classes, per-item correctness, accuracy. */
public final class Predictions {

    /** Mini-batch size for inference when the caller has no preference. */
    public static final int DEFAULT_BATCH = 256;

    private Predictions() {
    }

    /** The arg-max class of every image, in item order. */
    public static int[] predict(MultiLayerNetwork net, LabeledImages images, int batchSize) {
        int[] out = new int[images.size()];
        for (int from = 0; from < images.size(); from += batchSize) {
            int to = Math.min(images.size(), from + batchSize);
            INDArray probs = net.output(NdArrays.features(images, from, to), false);
            INDArray argMax = probs.argMax(1);
            for (int i = from; i < to; i++) {
                out[i] = argMax.getInt(i - from);
            }
        }
        return out;
    }

    /** Whether each image is classified correctly, in item order. */
    public static boolean[] correct(MultiLayerNetwork net, LabeledImages images, int batchSize) {
        int[] predicted = predict(net, images, batchSize);
        boolean[] ok = new boolean[predicted.length];
        for (int i = 0; i < predicted.length; i++) {
            ok[i] = predicted[i] == images.labels()[i];
        }
        return ok;
    }

    /** Share of images classified correctly, in [0,1] (0 for an empty set). */
    public static double accuracy(MultiLayerNetwork net, LabeledImages images) {
        if (images.size() == 0) {
            return 0;
        }
        int n = 0;
        for (boolean ok : correct(net, images, DEFAULT_BATCH)) {
            n += ok ? 1 : 0;
        }
        return (double) n / images.size();
    }
}
