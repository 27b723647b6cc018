package dev.lethe.ml.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContinualProtocolTest {

    private final LabeledImages digits = Datasets.split(Datasets.load("digits", null)).test();

    @Test
    void shouldRoundTripWhenConvertedToAndFromAttributes() {
        ContinualProtocol p = new ContinualProtocol("digits", ContinualProtocol.Kind.PERMUTED, 42, 4);

        assertThat(p.toAttributes()).isEqualTo(
                Map.of("dataset", "digits", "protocol", "permuted", "seed", "42", "stages", "4"));
        assertThat(ContinualProtocol.from(p.toAttributes())).isEqualTo(p);
        assertThat(p.suite()).isEqualTo("digits-cl");
    }

    @Test
    void shouldGiveIdenticalPixelsWhenTheSamePermutedTaskIsBuiltTwice() {
        ContinualProtocol a = new ContinualProtocol("digits", ContinualProtocol.Kind.PERMUTED, 7, 3);
        ContinualProtocol b = ContinualProtocol.from(Map.of("dataset", "digits", "protocol", "permuted", "seed", "7",
                "stages", "3"));

        for (int s = 0; s <= 3; s++) {
            assertThat(a.task(s).apply(digits)).isEqualTo(b.task(s).apply(digits));
        }
        assertThat(a.task(0).name()).isNull();
        assertThat(a.task(0).apply(digits)).isEqualTo(digits);
        assertThat(a.task(2).name()).isEqualTo("perm-2");
    }

    @Test
    void shouldPermutePixelsDifferentlyPerStageAndKeepLabelsWhenPermuted() {
        ContinualProtocol p = new ContinualProtocol("digits", ContinualProtocol.Kind.PERMUTED, 7, 3);
        LabeledImages s1 = p.task(1).apply(digits);
        LabeledImages s2 = p.task(2).apply(digits);

        assertThat(s1.labels()).containsExactly(digits.labels());
        assertThat(s1).isNotEqualTo(digits);
        assertThat(s1).isNotEqualTo(s2);
        // a permutation keeps every image's multiset of pixel values
        float[] a = digits.pixels()[5].clone();
        float[] b = s1.pixels()[5].clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertThat(b).containsExactly(a);
        // another seed gives another permutation
        assertThat(new ContinualProtocol("digits", ContinualProtocol.Kind.PERMUTED, 8, 3).task(1).apply(digits))
                .isNotEqualTo(s1);
    }

    @Test
    void shouldPartitionTheClassesIntoDisjointGroupsWhenSplit() {
        ContinualProtocol p = new ContinualProtocol("digits", ContinualProtocol.Kind.SPLIT, 3, 5);
        Set<Integer> seen = new HashSet<>();
        int total = 0;
        for (int s = 1; s <= 5; s++) {
            TaskSpec t = p.task(s);
            assertThat(t.name()).isEqualTo("split-" + s);
            assertThat(t.classes()).hasSize(2);
            for (int c : t.classes()) {
                assertThat(seen.add(c)).as("class %d in two stages", c).isTrue();
            }
            LabeledImages only = t.apply(digits);
            Set<Integer> allowed = new HashSet<>();
            Arrays.stream(t.classes()).forEach(allowed::add);
            for (int label : only.labels()) {
                assertThat(allowed).contains(label);
            }
            total += only.size();
        }
        assertThat(seen).hasSize(10);
        assertThat(total).isEqualTo(digits.size());
        assertThat(p.task(0).apply(digits)).isEqualTo(digits);
    }

    @Test
    void shouldNameTheKeyWhenAttributesAreMissingOrInvalid() {
        assertThatThrownBy(() -> ContinualProtocol.from(Map.of("protocol", "permuted", "seed", "1", "stages", "2")))
                .hasMessageContaining("dataset");
        assertThatThrownBy(() -> ContinualProtocol.from(Map.of("dataset", "digits", "protocol", "rotated",
                "seed", "1", "stages", "2"))).hasMessageContaining("protocol");
        assertThatThrownBy(() -> ContinualProtocol.from(Map.of("dataset", "digits", "protocol", "split",
                "seed", "x", "stages", "2"))).hasMessageContaining("seed");
        assertThatThrownBy(() -> ContinualProtocol.from(Map.of("dataset", "digits", "protocol", "split",
                "seed", "1", "stages", "11"))).hasMessageContaining("stages");
        ContinualProtocol p = new ContinualProtocol("digits", ContinualProtocol.Kind.SPLIT, 3, 5);
        assertThatThrownBy(() -> p.task(6)).hasMessageContaining("stage");
    }
}
