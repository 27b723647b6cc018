package dev.lethe.ml.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.ml.data.LabeledImages;
import org.junit.jupiter.api.Test;

class ImageTransformsTest {

    private static LabeledImages oneImage(float... pixels) {
        return new LabeledImages(3, 2, new float[][] {pixels}, new int[] {1}, 2);
    }

    @Test
    void shouldMovePixelsAndFillWithZeroWhenShifted() {
        LabeledImages img = oneImage(1, 2, 3, 4, 5, 6);

        assertThat(ImageTransforms.shift(1, 0).apply(img).pixels()[0]).containsExactly(0, 1, 2, 0, 4, 5);
        assertThat(ImageTransforms.shift(0, -1).apply(img).pixels()[0]).containsExactly(4, 5, 6, 0, 0, 0);
        assertThat(img.pixels()[0]).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void shouldBeReproducibleAndPositionSeededWhenAddingNoise() {
        float[][] p = new float[4][6];
        LabeledImages imgs = new LabeledImages(3, 2, p, new int[] {0, 1, 0, 1}, 2);
        LabeledImages a = ImageTransforms.gaussianNoise(0.3, 9).apply(imgs);
        LabeledImages b = ImageTransforms.gaussianNoise(0.3, 9).apply(imgs);

        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(imgs);
        assertThat(a).isNotEqualTo(ImageTransforms.gaussianNoise(0.3, 10).apply(imgs));
        for (float[] row : a.pixels()) {
            for (float v : row) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
        assertThat(ImageTransforms.gaussianNoise(0.3, 9).apply(imgs.range(0, 2)).pixels())
                .isDeepEqualTo(new float[][] {a.pixels()[0], a.pixels()[1]});
    }

    @Test
    void shouldReorderPixelsWhenPermuted() {
        LabeledImages img = oneImage(1, 2, 3, 4, 5, 6);

        assertThat(ImageTransforms.permutation(new int[] {5, 4, 3, 2, 1, 0}).apply(img).pixels()[0])
                .containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(ImageTransforms.randomPermutation(64, 5)).isEqualTo(ImageTransforms.randomPermutation(64, 5));
        assertThat(ImageTransforms.randomPermutation(64, 5)).isNotEqualTo(ImageTransforms.randomPermutation(64, 6));
    }
}
