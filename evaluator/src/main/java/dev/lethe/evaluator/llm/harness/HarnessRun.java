package dev.lethe.evaluator.llm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.evaluator.suite.imported.JsonLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The output of one lm-evaluation-harness run with {@code --log_samples}, as {@code EvaluationTracker} lays it out:
 * under {@code --output_path} a folder per model ({@code model_name_sanitized}) holding {@code results_<date_id>.json}
 * and one {@code samples_<task>_<date_id>.jsonl} per task, {@code date_id} being {@code datetime.now().isoformat()}
 * with {@code :} replaced by {@code -}. The directory given may be the output path or the model folder; files are
 * looked for up to three levels down. When a task has samples from several runs, the newest (by {@code date_id}) wins.
 *
 * @param samples the samples per task name, in file order
 * @param results the newest {@code results_*.json}, if any (used for {@code group_subtasks} and cross-checks)
 */
public record HarnessRun(Map<String, List<HarnessSample>> samples, Optional<JsonNode> results) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code samples_<task>_<YYYY-MM-DDTHH-MM-SS.ffffff>.jsonl}; the task name may itself contain underscores. */
    static final Pattern SAMPLES_FILE = Pattern.compile("samples_(.+)_(\\d{4}-\\d{2}-\\d{2}T[0-9.\\-]+)\\.jsonl");
    static final Pattern RESULTS_FILE = Pattern.compile("results_(\\d{4}-\\d{2}-\\d{2}T[0-9.\\-]+)\\.json");

    public HarnessRun {
        samples = Map.copyOf(samples);
    }

    /** Reads the run under {@code dir}; an {@link IOException} names the file and line of anything malformed. */
    public static HarnessRun read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        Map<String, Path> newestSamples = new TreeMap<>();
        Map<String, String> stamps = new HashMap<>();
        Path newestResults = null;
        String resultsStamp = "";
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir, 3)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            Matcher s = SAMPLES_FILE.matcher(name);
            Matcher r = RESULTS_FILE.matcher(name);
            if (s.matches() && s.group(2).compareTo(stamps.getOrDefault(s.group(1), "")) > 0) {
                newestSamples.put(s.group(1), f);
                stamps.put(s.group(1), s.group(2));
            } else if (r.matches() && r.group(1).compareTo(resultsStamp) > 0) {
                newestResults = f;
                resultsStamp = r.group(1);
            }
        }
        if (newestSamples.isEmpty()) {
            throw new IOException("no samples_<task>_<timestamp>.jsonl under " + dir + " (run lm_eval with --log_samples --output_path)");
        }
        Map<String, List<HarnessSample>> samples = new TreeMap<>();
        for (Map.Entry<String, Path> e : newestSamples.entrySet()) {
            samples.put(e.getKey(), readSamples(e.getValue()));
        }
        return new HarnessRun(samples, Optional.ofNullable(newestResults == null ? null : JSON.readTree(newestResults.toFile())));
    }

    static List<HarnessSample> readSamples(Path file) throws IOException {
        List<HarnessSample> out = new ArrayList<>();
        JsonLines.forEach(file, (lineNo, node) -> {
            try {
                out.add(sample(node));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + lineNo + ": " + e.getMessage(), e);
            }
        });
        return out;
    }

    private static HarnessSample sample(JsonNode node) {
        JsonNode docId = node.get("doc_id");
        if (docId == null || !docId.canConvertToInt() || docId.asInt() < 0) {
            throw new IllegalArgumentException("no integer doc_id >= 0");
        }
        Map<String, Double> values = new HashMap<>();
        JsonNode metrics = node.get("metrics");
        if (metrics != null && metrics.isArray()) {
            for (JsonNode m : metrics) {
                number(node.get(m.asText())).ifPresent(v -> values.put(m.asText(), v));
            }
        } else {
            node.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("doc_id")) {
                    number(f.getValue()).ifPresent(v -> values.put(f.getKey(), v));
                }
            });
        }
        return new HarnessSample(docId.asInt(), node.hasNonNull("filter") ? node.get("filter").asText() : null, values,
                node.hasNonNull("doc_hash") ? node.get("doc_hash").asText() : null);
    }

    private static Optional<Double> number(JsonNode v) {
        if (v == null) {
            return Optional.empty();
        }
        if (v.isBoolean()) {
            return Optional.of(v.asBoolean() ? 1.0 : 0.0);
        }
        return v.isNumber() ? Optional.of(v.asDouble()) : Optional.empty();
    }

    /** The harness's {@code group_subtasks} of the results file: group → its tasks (empty without a results file). */
    public Map<String, List<String>> groupSubtasks() {
        Map<String, List<String>> out = new HashMap<>();
        results.map(r -> r.path("group_subtasks")).ifPresent(groups -> groups.fields().forEachRemaining(g -> {
            List<String> tasks = new ArrayList<>();
            g.getValue().forEach(t -> tasks.add(t.asText()));
            out.put(g.getKey(), tasks);
        }));
        return out;
    }

    /** The value the harness reported for {@code task}'s {@code metric,filter} in {@code results_*.json}, if any. */
    public Optional<Double> reported(String task, String metric, String filter) {
        return results.map(r -> r.path("results").path(task).get(metric + "," + filter)).filter(JsonNode::isNumber).map(JsonNode::asDouble);
    }
}
