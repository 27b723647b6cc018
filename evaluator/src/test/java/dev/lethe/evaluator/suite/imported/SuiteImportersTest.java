package dev.lethe.evaluator.suite.imported;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.evaluator.TestData;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.llm.MultipleChoiceItem;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteImportersTest {

    @TempDir
    Path tmp;

    static final Path DATA = TestData.dataDir();

    @Test
    void shouldImportAllMmluTestQuestionsIntoTheFourPaperElementsWhenImportingMmlu() throws IOException {
        Suite suite = SuiteImporters.importInto(SuiteImporters.Benchmark.MMLU, DATA.resolve("mmlu"), tmp.resolve("mmlu"), ImportOptions.defaults());

        assertThat(suite.id()).isEqualTo("mmlu");
        assertThat(suite.elements()).extracting(SuiteElement::benchmark)
                .containsExactly("mmlu-stem", "mmlu-humanities", "mmlu-social-sciences", "mmlu-other");
        assertThat(suite.elements()).extracting(SuiteElement::category).containsOnly("domain-knowledge");
        assertThat(suite.elements().stream().mapToInt(SuiteElement::itemCount).sum()).isEqualTo(14_042);
        // per-category counts of the CSVs under subject_categories.json (19/13/12/13 subjects)
        assertThat(suite.elements()).extracting(SuiteElement::itemCount).containsExactly(3153, 4705, 3077, 3107);
        Set<String> subjects = new HashSet<>();
        int[] subjectsPerElement = new int[4];
        for (int e = 0; e < 4; e++) {
            Set<String> own = new HashSet<>();
            for (MultipleChoiceItem item : items(suite.elements().get(e)).items()) {
                own.add(item.id().substring(0, item.id().indexOf('/')));
                assertThat(item.choices()).containsExactly("A", "B", "C", "D");
            }
            subjectsPerElement[e] = own.size();
            subjects.addAll(own);
        }
        assertThat(subjects).hasSize(57);
        assertThat(subjectsPerElement).containsExactly(19, 13, 12, 13);
        assertThat(suite.elements()).extracting(SuiteElement::shardSize).containsOnly(ImportOptions.DEFAULT_SHARD_SIZE);
        assertThat(suite.elements().get(0).shardCount()).isEqualTo(32);
        // four letters: a model answering at random is right one time in four
        assertThat(suite.elements()).extracting(e -> e.items().chancePct()).containsOnly(25.0);
    }

    @Test
    void shouldBuildTheHarnessFiveShotPromptWhenImportingAnMmluQuestion() throws IOException {
        Suite suite = SuiteImporters.importInto(SuiteImporters.Benchmark.MMLU, DATA, tmp.resolve("mmlu"), ImportOptions.defaults());
        MultipleChoiceItems humanities = items(suite.element("mmlu-humanities").orElseThrow());
        MultipleChoiceItem item = humanities.items().stream().filter(i -> i.id().equals("world_religions/0")).findFirst().orElseThrow();

        // the dev rows have leading spaces (stripped like the harness's question.strip()) and a doubled quote
        String expected = "The following are multiple choice questions (with answers) about world religions.\n\n"
                + "What is the sign of the covenant for Jewish males?\nA. The rainbow\nB. Circumcision\nC. A son\nD. Bar mitzvah\nAnswer: B\n\n"
                + "What is the Second Gem in Buddhism?\nA. The Dharma\nB. The Sangha\nC. The Buddha\nD. The Bodhisattva\nAnswer: A\n\n"
                + "In which dynasty was the \"Mandate of Heaven\" developed to legitimatize the new rulers?\nA. Shang\nB. Zhou\nC. Han\nD. Xia\nAnswer: B\n\n"
                + "Which Japanese government promoted a kind of national cult based on the emperor and his associations with kami?\n"
                + "A. Honen\nB. Tanaka\nC. Tokugawa\nD. Meiji\nAnswer: D\n\n"
                + "How can the Upanishads be characterized?\nA. Ritual texts\nB. Philosophical texts\nC. Hymns\nD. Origin stories\nAnswer: B\n\n"
                + "What can murtis be translated as?\nA. Offerings\nB. Prayers\nC. Apparitions\nD. Idols\nAnswer:";
        assertThat(item.context()).isEqualTo(expected);
        assertThat(item.gold()).isEqualTo(3);
        int index = humanities.items().indexOf(item);
        assertThat(humanities.continuation(index, 3)).isEqualTo(" D");
        // 5-shot prefixes are shared, not copied per item
        assertThat(humanities.items().get(index + 1).prefix()).isSameAs(item.prefix());
    }

    @Test
    void shouldPromptWithTheDescriptionOnlyWhenImportingMmluZeroShot() throws IOException {
        Suite suite = SuiteImporters.importInto(SuiteImporters.Benchmark.MMLU, DATA, tmp.resolve("mmlu0"),
                new ImportOptions(0, 500, ChoiceMetric.ACC));
        MultipleChoiceItem first = items(suite.elements().get(0)).get(0);
        assertThat(first.id()).isEqualTo("abstract_algebra/0");
        assertThat(first.context()).isEqualTo("The following are multiple choice questions (with answers) about abstract algebra.\n\n"
                + "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\nA. 0\nB. 4\nC. 2\nD. 6\nAnswer:");
        assertThat(first.gold()).isEqualTo(1);
    }

    @Test
    void shouldBuildTheHarnessArcPromptWhenImportingArcChallenge() throws IOException {
        Suite suite = SuiteImporters.importInto(SuiteImporters.Benchmark.ARC, DATA, tmp.resolve("reasoning"), ImportOptions.defaults());
        SuiteElement arc = suite.element("arc-challenge").orElseThrow();
        assertThat(arc.category()).isEqualTo("reasoning");
        assertThat(arc.itemCount()).isEqualTo(1172);
        MultipleChoiceItems items = items(arc);
        MultipleChoiceItem first = items.get(0);
        assertThat(first.id()).isEqualTo("Mercury_7175875");
        assertThat(first.context()).isEqualTo("Question: An astronomer observes that a planet rotates faster after a meteorite impact. "
                + "Which is the most likely effect of this increase in rotation?\nAnswer:");
        assertThat(first.choices()).containsExactly("Planetary density will decrease.", "Planetary years will become longer.",
                "Planetary days will become shorter.", "Planetary gravity will become stronger.");
        assertThat(first.gold()).isEqualTo(2);
        assertThat(items.continuation(0, 2)).isEqualTo(" Planetary days will become shorter.");
        assertThat(items.items().stream().filter(i -> i.choices().size() == 3).count()).isEqualTo(4);
        assertThat(items.items().stream().filter(i -> i.choices().size() == 5).count()).isEqualTo(3);
        // chance is the mean of 1/choices: 1165 four-way, 4 three-way and 3 five-way questions
        assertThat(items.chancePct()).isCloseTo(100.0 * (1165 / 4.0 + 4 / 3.0 + 3 / 5.0) / 1172, within(1e-9));
    }

    @Test
    void shouldBuildTheHarnessBoolqPromptWhenImportingBoolq() throws IOException {
        Suite suite = SuiteImporters.importInto(SuiteImporters.Benchmark.BOOLQ, DATA.resolve("boolq"), tmp.resolve("reasoning"), ImportOptions.defaults());
        MultipleChoiceItems items = items(suite.element("boolq").orElseThrow());
        assertThat(items.size()).isEqualTo(3270);
        assertThat(items.items().stream().filter(i -> i.gold() == 1).count()).isEqualTo(2033);
        MultipleChoiceItem first = items.get(0);
        assertThat(first.context()).startsWith("All biomass goes through at least some of these steps:")
                .endsWith("\nQuestion: does ethanol take more energy make that produces?\nAnswer:");
        assertThat(first.choices()).containsExactly("no", "yes");
        assertThat(first.gold()).isEqualTo(0);
        assertThat(suite.element("boolq").orElseThrow().category()).isEqualTo("reasoning");
        // binary, every item no/yes: chance is the majority class, always answering yes (2033 of 3270)
        assertThat(items.chancePct()).isCloseTo(100.0 * 2033 / 3270, within(1e-9));
    }

    @Test
    void shouldMergeElementsAndKeepTheVersionWhenImportingIntoTheSameSuiteAgain() throws IOException {
        Path out = tmp.resolve("llm-forgetting");
        SuiteImporters.importInto(SuiteImporters.Benchmark.ARC, DATA, out, ImportOptions.defaults());
        Suite both = SuiteImporters.importInto(SuiteImporters.Benchmark.BOOLQ, DATA, out, ImportOptions.defaults());
        assertThat(both.elements()).extracting(SuiteElement::benchmark).containsExactly("arc-challenge", "boolq");

        Suite again = SuiteImporters.importInto(SuiteImporters.Benchmark.ARC, DATA, out, ImportOptions.defaults());
        assertThat(again.elements()).extracting(SuiteElement::benchmark).containsExactly("arc-challenge", "boolq");
        assertThat(again.version()).isEqualTo(both.version());
        assertThat(ImportedSuites.load(out).version()).isEqualTo(both.version());

        Suite norm = SuiteImporters.importInto(SuiteImporters.Benchmark.ARC, DATA, out, new ImportOptions(0, 100, ChoiceMetric.ACC_NORM));
        assertThat(items(norm.element("arc-challenge").orElseThrow()).choiceMetric()).isEqualTo(ChoiceMetric.ACC_NORM);
        assertThat(norm.version()).isNotEqualTo(both.version());
        assertThat(norm.manifest()).contains("element\tarc-challenge\treasoning\t1172\t100\t");
    }

    @Test
    void shouldAcceptHarnessStyleMultipleChoiceJsonlAsIsWhenLoadingASuiteDirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("custom"));
        Files.writeString(dir.resolve("items.jsonl"), """
                {"context": "Question: 2+2?\\nAnswer:", "choices": ["4", "5"], "gold": 0}
                {"context": "The sky is", "choices": ["blue", "green", "loud"], "label": 0}
                """);
        Files.writeString(dir.resolve(ImportedSuites.DEFINITION), """
                {"format": "lethe-imported-suite 1", "elements": [
                  {"benchmark": "toy", "category": "reasoning", "items": "items.jsonl", "shardSize": 1, "metric": "acc_norm"}]}
                """);
        Suite suite = new ImportedSuiteCatalog(tmp).resolve("custom").orElseThrow();
        MultipleChoiceItems items = items(suite.elements().get(0));
        assertThat(items.choiceMetric()).isEqualTo(ChoiceMetric.ACC_NORM);
        assertThat(items.get(0).context()).isEqualTo("Question: 2+2?\nAnswer:");
        assertThat(items.get(1).choices()).containsExactly("blue", "green", "loud");
        assertThat(suite.shardCount()).isEqualTo(2);
    }

    @Test
    void shouldFindNoSuiteWhenTheIdIsUnknownOrEscapesTheRoot() throws IOException {
        SuiteImporters.importInto(SuiteImporters.Benchmark.ARC, DATA, tmp.resolve("suites").resolve("arc"), ImportOptions.defaults());
        ImportedSuiteCatalog catalog = new ImportedSuiteCatalog(tmp.resolve("suites"));
        assertThat(catalog.resolve("arc")).isPresent();
        assertThat(catalog.resolve("nope")).isEmpty();
        assertThat(catalog.resolve("../suites/arc")).isEmpty();
        assertThat(catalog.resolve("..")).isEmpty();
    }

    @Test
    void shouldRefuseAnItemsFileOutsideTheSuiteDirectoryWhenLoading() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("evil"));
        Files.writeString(dir.resolve(ImportedSuites.DEFINITION), """
                {"format": "lethe-imported-suite 1", "elements": [
                  {"benchmark": "x", "category": "reasoning", "items": "../secret.jsonl", "shardSize": 1}]}
                """);
        assertThatThrownBy(() -> ImportedSuites.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("plain name");
    }

    static MultipleChoiceItems items(SuiteElement element) {
        return (MultipleChoiceItems) element.items();
    }

    static List<MultipleChoiceItem> all(SuiteElement element) {
        return items(element).items();
    }
}
