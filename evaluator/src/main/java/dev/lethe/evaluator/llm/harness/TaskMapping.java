package dev.lethe.evaluator.llm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Lethe element(s) an lm-evaluation-harness task's per-sample metric feeds: a small mapping file
 * ({@code --mapping FILE}: {@code {"tasks": {"<task>": {"element", "category", "metric", "filter"?}}}}, a list for
 * several elements) over built-in defaults that give the same element names as {@code lethe suite import}:
 * <ul>
 *   <li>{@code mmlu_<subject>} → its group in the results file's {@code group_subtasks} ({@code mmlu_stem} →
 *       {@code mmlu-stem}, ...; {@code mmlu} without one), {@code domain-knowledge}, {@code acc};</li>
 *   <li>{@code arc_challenge}, {@code arc_easy}, {@code boolq}, {@code piqa}, {@code winogrande} → {@code reasoning},
 *       {@code acc}; {@code hellaswag} → {@code reasoning}, {@code acc_norm}; {@code race} →
 *       {@code reading-comprehension}, {@code acc};</li>
 *   <li>{@code crows_pairs_english[_<type>]} → {@code crows-pairs[-<type>]}, {@code bias}, {@code pct_stereotype};</li>
 *   <li>{@code gsm8k} → {@code gsm8k-strict} ({@code generative}, {@code exact_match} after {@code strict-match}) and
 *       {@code gsm8k-flexible} ({@code generative-flexible}, after {@code flexible-extract}).</li>
 * </ul>
 * Task names become element names with {@code _} turned into {@code -}. A task with neither is skipped (and reported).
 */
public final class TaskMapping {

    /** Where one task's samples go: an element, its category, the per-sample metric read as the item's bit, the filter. */
    public record Target(String element, String category, String metric, String filter) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NONE = "none";
    private static final Map<String, List<Target>> DEFAULTS = new HashMap<>();

    static {
        single("arc_challenge", "arc-challenge", "reasoning", "acc");
        single("arc_easy", "arc-easy", "reasoning", "acc");
        single("boolq", "boolq", "reasoning", "acc");
        single("piqa", "piqa", "reasoning", "acc");
        single("winogrande", "winogrande", "reasoning", "acc");
        single("hellaswag", "hellaswag", "reasoning", "acc_norm");
        single("race", "race", "reading-comprehension", "acc");
        single("crows_pairs_english", "crows-pairs", "bias", "pct_stereotype");
        DEFAULTS.put("gsm8k", List.of(new Target("gsm8k-strict", "generative", "exact_match", "strict-match"),
                new Target("gsm8k-flexible", "generative-flexible", "exact_match", "flexible-extract")));
    }

    private final Map<String, List<Target>> explicit;
    private final Map<String, String> groupOf;

    private TaskMapping(Map<String, List<Target>> explicit, Map<String, String> groupOf) {
        this.explicit = explicit;
        this.groupOf = groupOf;
    }

    /** The defaults alone, MMLU subjects grouped by {@code groupSubtasks} (the run's results file). */
    public static TaskMapping defaults(Map<String, List<String>> groupSubtasks) {
        return new TaskMapping(Map.of(), invert(groupSubtasks));
    }

    /** The mapping file over the defaults. */
    public static TaskMapping fromFile(Path file, Map<String, List<String>> groupSubtasks) throws IOException {
        JsonNode tasks = JSON.readTree(file.toFile()).path("tasks");
        if (!tasks.isObject()) {
            throw new IOException(file + ": expected {\"tasks\": {\"<task>\": {\"element\", \"category\", \"metric\", \"filter\"?}}}");
        }
        Map<String, List<Target>> explicit = new HashMap<>();
        var fields = tasks.fields();
        while (fields.hasNext()) {
            var task = fields.next();
            List<Target> targets = new ArrayList<>();
            for (JsonNode t : task.getValue().isArray() ? task.getValue() : JSON.createArrayNode().add(task.getValue())) {
                String element = t.path("element").asText("");
                String category = t.path("category").asText("");
                String metric = t.path("metric").asText("");
                if (element.isBlank() || category.isBlank() || metric.isBlank()) {
                    throw new IOException(file + ": task " + task.getKey() + " needs element, category and metric");
                }
                targets.add(new Target(element, category, metric, t.path("filter").asText(NONE)));
            }
            explicit.put(task.getKey(), List.copyOf(targets));
        }
        return new TaskMapping(explicit, invert(groupSubtasks));
    }

    /** The targets of {@code task}; empty when neither the file nor the defaults know it. */
    public List<Target> targets(String task) {
        if (explicit.containsKey(task)) {
            return explicit.get(task);
        }
        if (DEFAULTS.containsKey(task)) {
            return DEFAULTS.get(task);
        }
        if (task.startsWith("crows_pairs_english_")) {
            return List.of(new Target(elementName(task.replace("crows_pairs_english_", "crows_pairs_")), "bias", "pct_stereotype", NONE));
        }
        if (task.startsWith("mmlu_")) {
            String group = groupOf.get(task);
            String element = group != null && group.startsWith("mmlu_") ? elementName(group) : "mmlu";
            return List.of(new Target(element, "domain-knowledge", "acc", NONE));
        }
        return List.of();
    }

    static String elementName(String task) {
        return task.replace('_', '-');
    }

    private static void single(String task, String element, String category, String metric) {
        DEFAULTS.put(task, List.of(new Target(element, category, metric, NONE)));
    }

    private static Map<String, String> invert(Map<String, List<String>> groups) {
        Map<String, String> out = new HashMap<>();
        groups.forEach((group, tasks) -> tasks.forEach(t -> {
            // the innermost group wins: mmlu_stem over mmlu
            if (!out.containsKey(t) || group.length() > out.get(t).length()) {
                out.put(t, group);
            }
        }));
        return out;
    }
}
