package dev.lethe.evaluator.llm.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.evaluator.llm.harness.TaskMapping.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness-task → Lethe-element defaults (the same element names as lethe suite import) and the mapping file. */
class TaskMappingTest {

    @TempDir
    Path tmp;

    /** The shape of results_*.json's group_subtasks: mmlu → its four groups → their subject tasks. */
    static final Map<String, List<String>> GROUPS = Map.of(
            "mmlu", List.of("mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other"),
            "mmlu_stem", List.of("mmlu_abstract_algebra"), "mmlu_humanities", List.of("mmlu_world_religions"),
            "mmlu_social_sciences", List.of("mmlu_econometrics"), "mmlu_other", List.of("mmlu_anatomy"));

    @Test
    void shouldMapMmluSubjectsToTheirGroupElementWhenTheResultsFileGroupsThem() {
        TaskMapping mapping = TaskMapping.defaults(GROUPS);

        assertThat(mapping.targets("mmlu_abstract_algebra")).containsExactly(new Target("mmlu-stem", "domain-knowledge", "acc", "none"));
        assertThat(mapping.targets("mmlu_world_religions")).extracting(Target::element).containsExactly("mmlu-humanities");
        assertThat(mapping.targets("mmlu_econometrics")).extracting(Target::element).containsExactly("mmlu-social-sciences");
        assertThat(mapping.targets("mmlu_anatomy")).extracting(Target::element).containsExactly("mmlu-other");
        assertThat(TaskMapping.defaults(Map.of()).targets("mmlu_anatomy")).extracting(Target::element).containsExactly("mmlu");
    }

    @Test
    void shouldGiveThePaperCategoriesWhenMappingTheDefaultTasks() {
        TaskMapping mapping = TaskMapping.defaults(Map.of());

        assertThat(mapping.targets("arc_challenge")).containsExactly(new Target("arc-challenge", "reasoning", "acc", "none"));
        assertThat(mapping.targets("hellaswag")).containsExactly(new Target("hellaswag", "reasoning", "acc_norm", "none"));
        assertThat(mapping.targets("race")).containsExactly(new Target("race", "reading-comprehension", "acc", "none"));
        assertThat(mapping.targets("crows_pairs_english_race_color"))
                .containsExactly(new Target("crows-pairs-race-color", "bias", "pct_stereotype", "none"));
        assertThat(mapping.targets("gsm8k")).extracting(Target::element).containsExactly("gsm8k-strict", "gsm8k-flexible");
        assertThat(mapping.targets("truthfulqa_mc2")).isEmpty();
    }

    @Test
    void shouldLetTheMappingFileAddAndOverrideTasksWhenGiven() throws IOException {
        Path file = tmp.resolve("mapping.json");
        Files.writeString(file, """
                {"tasks": {"boolq": {"element": "boolq-rc", "category": "reading-comprehension", "metric": "acc"},
                           "my_gen": [{"element": "gen-a", "category": "generative", "metric": "exact_match", "filter": "strict-match"},
                                      {"element": "gen-b", "category": "generative-flexible", "metric": "exact_match", "filter": "flexible-extract"}]}}
                """);
        TaskMapping mapping = TaskMapping.fromFile(file, Map.of());

        assertThat(mapping.targets("boolq")).containsExactly(new Target("boolq-rc", "reading-comprehension", "acc", "none"));
        assertThat(mapping.targets("my_gen")).extracting(Target::filter).containsExactly("strict-match", "flexible-extract");
        assertThat(mapping.targets("arc_easy")).extracting(Target::element).containsExactly("arc-easy");

        Files.writeString(file, "{\"tasks\": {\"x\": {\"element\": \"x\"}}}");
        assertThatThrownBy(() -> TaskMapping.fromFile(file, Map.of())).hasMessageContaining("task x needs element, category and metric");
    }
}
