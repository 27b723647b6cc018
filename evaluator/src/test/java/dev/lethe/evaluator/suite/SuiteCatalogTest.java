package dev.lethe.evaluator.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.evaluator.TestData;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.tasks.ContinualProtocol;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteCatalogTest {

    static final Map<String, String> DIGITS_PERMUTED = Map.of("dataset", "digits", "protocol", "permuted", "seed", "7", "stages", "3");

    @Test
    void shouldBuildCleanRobustnessAndOneTaskElementPerStageWhenResolvingDigitsCl() throws Exception {
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", DIGITS_PERMUTED);
        LabeledImages test = Datasets.split(Datasets.load("digits", null)).test();

        assertThat(suite.elements()).extracting(SuiteElement::benchmark)
                .containsExactly("digits-clean-a", "digits-clean-b", "digits-noise", "digits-shift", "perm-1", "perm-2", "perm-3");
        assertThat(suite.elements()).extracting(SuiteElement::category)
                .containsExactly("domain-knowledge", "domain-knowledge", "robustness", "robustness", "task", "task", "task");
        assertThat(suite.element("digits-clean-a").orElseThrow().itemCount()
                + suite.element("digits-clean-b").orElseThrow().itemCount()).isEqualTo(test.size());
        assertThat(suite.element("digits-noise").orElseThrow().itemCount()).isEqualTo(test.size());
        assertThat(suite.stages()).isEqualTo(3);

        // a task element is exactly the trainer's task transform applied to the test split
        LabeledImages perm2 = ContinualProtocol.from(DIGITS_PERMUTED).task(2).apply(test);
        ImageItems items = (ImageItems) suite.element("perm-2").orElseThrow().items();
        assertThat(items.pixels()).isDeepEqualTo(perm2.pixels());
        assertThat(items.labels()).containsExactly(perm2.labels());
    }

    @Test
    void shouldGiveSameVersionWhenRebuiltAndNewVersionWhenCampaignDiffers() throws Exception {
        Suite a = new SuiteCatalog(null).resolve("digits-cl", DIGITS_PERMUTED);
        Suite b = new SuiteCatalog(null).resolve("digits-cl", Map.of("stages", "3", "seed", "7", "protocol", "permuted", "dataset", "digits", "extra", "x"));
        Suite otherSeed = new SuiteCatalog(null).resolve("digits-cl", Map.of("dataset", "digits", "protocol", "permuted", "seed", "8", "stages", "3"));

        assertThat(a.version()).matches("[0-9a-f]{64}").isEqualTo(b.version());
        assertThat(a.manifest()).isEqualTo(b.manifest());
        assertThat(otherSeed.version()).isNotEqualTo(a.version());
        assertThat(a.manifest()).startsWith(Suite.MANIFEST_HEADER + "\nsuite\tdigits-cl\nparams\tdataset=digits protocol=permuted seed=7 stages=3\n");
        assertThat(a.manifest().lines().filter(l -> l.startsWith("element\t"))).hasSize(7);
    }

    @Test
    void shouldKeepFirstShardsIdenticalWhenStagesDiffer() throws Exception {
        Suite three = new SuiteCatalog(null).resolve("digits-cl", DIGITS_PERMUTED);
        Suite two = new SuiteCatalog(null).resolve("digits-cl", Map.of("dataset", "digits", "protocol", "permuted", "seed", "7", "stages", "2"));

        assertThat(two.element("perm-2").orElseThrow().itemsSha256()).isEqualTo(three.element("perm-2").orElseThrow().itemsSha256());
        assertThat(two.element("digits-noise").orElseThrow().itemsSha256()).isEqualTo(three.element("digits-noise").orElseThrow().itemsSha256());
    }

    @Test
    void shouldBuildSplitTasksWhenProtocolIsSplit() throws Exception {
        Suite suite = new SuiteCatalog(null).resolve("digits-cl", Map.of("dataset", "digits", "protocol", "split", "seed", "1", "stages", "5"));

        assertThat(suite.elements()).extracting(SuiteElement::benchmark).contains("split-1", "split-5");
        int taskItems = suite.elements().stream().filter(e -> e.category().equals("task")).mapToInt(SuiteElement::itemCount).sum();
        assertThat(taskItems).isEqualTo(suite.element("digits-noise").orElseThrow().itemCount()); // the splits partition the classes
    }

    @Test
    void shouldReadMnistFromDataDirWhenResolvingMnistCl() throws Exception {
        Suite suite = new SuiteCatalog(TestData.dataDir()).resolve("mnist-cl",
                Map.of("dataset", "mnist", "protocol", "permuted", "seed", "3", "stages", "2"));

        assertThat(suite.elements()).extracting(SuiteElement::benchmark)
                .containsExactly("mnist-clean-a", "mnist-clean-b", "mnist-noise", "mnist-shift", "perm-1", "perm-2");
        ImageItems items = (ImageItems) suite.element("perm-1").orElseThrow().items();
        assertThat(items.width()).isEqualTo(28);
        assertThat(items.size()).isEqualTo(2000);
        assertThat(suite.element("perm-1").orElseThrow().shardCount()).isEqualTo(8);
    }

    @Test
    void shouldRefuseWhenSuiteIsUnknownOrAttributesDoNotFit() {
        SuiteCatalog catalog = new SuiteCatalog(null);

        assertThatThrownBy(() -> catalog.resolve("mmlu-xl", DIGITS_PERMUTED)).isInstanceOf(UnknownSuiteException.class)
                .hasMessageContaining("mmlu-xl");
        assertThatThrownBy(() -> catalog.resolve("digits-cl", Map.of())).isInstanceOf(InvalidSuiteException.class)
                .hasMessageContaining("attribute dataset is missing");
        assertThatThrownBy(() -> catalog.resolve("mnist-cl", DIGITS_PERMUTED)).isInstanceOf(InvalidSuiteException.class)
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> catalog.resolve("mnist-cl", Map.of("dataset", "mnist", "protocol", "permuted", "seed", "3", "stages", "2")))
                .isInstanceOf(InvalidSuiteException.class).hasMessageContaining("data directory");
    }

    @Test
    void shouldCutShardsContiguouslyWhenElementSizeIsNotAMultiple() {
        SuiteElement element = SuiteElement.of("e", "task", new ImageItems(1, 1, new float[250][1], new int[250], 10), 100);

        assertThat(element.shardCount()).isEqualTo(3);
        assertThat(element.shardStart(2)).isEqualTo(200);
        assertThat(element.shardEnd(2)).isEqualTo(250);
        assertThat(element.shard(2).size()).isEqualTo(50);
    }
}
