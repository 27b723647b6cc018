package dev.lethe.ml.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetsTest {

    @Test
    void shouldLoadAll1797DigitsWhenReadingTheShippedResource() {
        LabeledImages digits = Datasets.load("digits", null);

        assertThat(digits.size()).isEqualTo(1797);
        assertThat(digits.width()).isEqualTo(8);
        assertThat(digits.height()).isEqualTo(8);
        assertThat(digits.numClasses()).isEqualTo(10);
        // scikit-learn's class counts
        assertThat(digits.classCounts()).containsExactly(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        assertThat(digits.labels()[0]).isZero();
        for (float[] p : digits.pixels()) {
            for (float v : p) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void shouldRead10000ImagesOf28x28WhenParsingTheMnistIdxFiles() {
        LabeledImages mnist = Datasets.load("mnist", TestData.dir());

        assertThat(mnist.size()).isEqualTo(10_000);
        assertThat(mnist.width()).isEqualTo(28);
        assertThat(mnist.height()).isEqualTo(28);
        assertThat(mnist.classCounts()).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        // the first t10k image is a 7
        assertThat(mnist.labels()[0]).isEqualTo(7);
        // the folder itself works as well as its parent
        assertThat(Datasets.load("mnist", TestData.dir().resolve("mnist-t10k")).size()).isEqualTo(10_000);
    }

    @Test
    void shouldGiveDisjointCoveringStratifiedPartsWhenSplitting() {
        LabeledImages digits = Datasets.load("digits", null);
        Datasets.Split split = Datasets.split(digits);

        assertThat(split.train().size() + split.test().size()).isEqualTo(1797);
        Set<float[]> train = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        train.addAll(java.util.Arrays.asList(split.train().pixels()));
        for (float[] p : split.test().pixels()) {
            assertThat(train).doesNotContain(p);
        }
        Set<float[]> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        all.addAll(train);
        all.addAll(java.util.Arrays.asList(split.test().pixels()));
        assertThat(all).hasSize(1797);
        int[] testCounts = split.test().classCounts();
        int[] allCounts = digits.classCounts();
        for (int c = 0; c < 10; c++) {
            assertThat(testCounts[c]).isEqualTo((int) Math.round(allCounts[c] * Datasets.TEST_FRACTION));
        }
    }

    @Test
    void shouldGiveTheSameSplitWhenSplittingTwiceAndADifferentOneForAnotherSeed() {
        LabeledImages digits = Datasets.load("digits", null);

        assertThat(Datasets.split(digits).test()).isEqualTo(Datasets.split(Datasets.load("digits", null)).test());
        assertThat(Datasets.split(digits, 1).test()).isNotEqualTo(Datasets.split(digits, 2).test());
        Set<Integer> distinctSizes = new HashSet<>();
        distinctSizes.add(Datasets.split(digits, 1).test().size());
        distinctSizes.add(Datasets.split(digits, 2).test().size());
        assertThat(distinctSizes).hasSize(1);
    }

    @Test
    void shouldNameTheProblemWhenTheDatasetIsUnknownOrMnistHasNoDirectory() {
        assertThatThrownBy(() -> Datasets.load("cifar", null)).hasMessageContaining("unknown dataset 'cifar'");
        assertThatThrownBy(() -> Datasets.load("mnist", null)).hasMessageContaining("--data-dir");
        assertThatThrownBy(() -> Datasets.load("mnist", java.nio.file.Path.of("/nonexistent")))
                .hasMessageContaining("t10k-images-idx3-ubyte");
    }
}
