package dev.lethe.ml.tasks;

import dev.lethe.ml.data.LabeledImages;

/** A deterministic, pure transformation of a set of images (pixels and/or the subset kept); labels keep their meaning. */
@FunctionalInterface
public interface ImageTransform {

    /** The transformed images; the input is never modified. */
    LabeledImages apply(LabeledImages images);

    /** The identity: stage 0 and the clean benchmarks. */
    static ImageTransform identity() {
        return images -> images;
    }

    /** This transform followed by {@code next}. */
    default ImageTransform andThen(ImageTransform next) {
        return images -> next.apply(apply(images));
    }
}
