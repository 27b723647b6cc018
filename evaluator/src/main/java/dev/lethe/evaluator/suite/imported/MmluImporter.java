package dev.lethe.evaluator.suite.imported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.llm.PromptFormats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Imports MMLU ({@code test/<subject>_test.csv}, {@code dev/<subject>_dev.csv}, {@code subject_categories.json}) as the
 * paper's four domain-knowledge elements {@code mmlu-stem}, {@code mmlu-humanities}, {@code mmlu-social-sciences},
 * {@code mmlu-other}: every test question of the subjects mapped to that category (subjects in name order, questions
 * in file order), each prompted k-shot with its subject's first k dev questions under lm-evaluation-harness's header
 * (see {@link PromptFormats}). CSV rows are {@code question,choice0..choice3,answer} with a header row and answer 0-3,
 * or the original headerless layout with answer A-D.
 */
final class MmluImporter {

    public static final String CATEGORY = "domain-knowledge";
    /** subject_categories.json value → element, in the elements' order. */
    static final Map<String, String> ELEMENTS = new LinkedHashMap<>();

    static {
        ELEMENTS.put("stem", "mmlu-stem");
        ELEMENTS.put("humanities", "mmlu-humanities");
        ELEMENTS.put("social_sciences", "mmlu-social-sciences");
        ELEMENTS.put("other", "mmlu-other");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private MmluImporter() {
    }

    /** @param from the MMLU folder, or a data folder holding {@code mmlu/} */
    public static List<ImportedElement> importFrom(Path from, ImportOptions options) throws IOException {
        Path dir = Files.isDirectory(from.resolve("mmlu").resolve("test")) ? from.resolve("mmlu") : from;
        Map<String, String> categories = categories(dir.resolve("subject_categories.json"));
        Map<String, Path> tests = subjects(dir.resolve("test"), "_test.csv");
        if (tests.isEmpty()) {
            throw new IOException("no <subject>_test.csv files in " + dir.resolve("test"));
        }
        Map<String, List<ImportedElement.ImportedItem>> items = new LinkedHashMap<>();
        Map<String, Map<String, String>> fewshot = new LinkedHashMap<>();
        ELEMENTS.values().forEach(e -> {
            items.put(e, new ArrayList<>());
            fewshot.put(e, new TreeMap<>());
        });
        for (Map.Entry<String, Path> test : tests.entrySet()) {
            String subject = test.getKey();
            String category = categories.get(subject);
            String element = category == null ? null : ELEMENTS.get(category);
            if (element == null) {
                throw new IOException("subject " + subject + " has no known category in subject_categories.json (got " + category + ")");
            }
            List<String> shots = new ArrayList<>();
            if (options.shots() > 0) {
                List<Question> dev = read(dir.resolve("dev").resolve(subject + "_dev.csv"));
                if (dev.size() < options.shots()) {
                    throw new IOException(subject + " has " + dev.size() + " dev questions, fewer than " + options.shots() + " shots");
                }
                for (Question q : dev.subList(0, options.shots())) {
                    shots.add(PromptFormats.solved(PromptFormats.mmluQuery(q.question, q.choices), PromptFormats.MMLU_CHOICES.get(q.answer)));
                }
            }
            fewshot.get(element).put(subject, PromptFormats.fewshotPrefix(PromptFormats.mmluDescription(subject), shots));
            List<Question> questions = read(test.getValue());
            for (int i = 0; i < questions.size(); i++) {
                Question q = questions.get(i);
                items.get(element).add(new ImportedElement.ImportedItem(subject + "/" + i, subject,
                        PromptFormats.mmluQuery(q.question, q.choices), PromptFormats.MMLU_CHOICES, q.answer));
            }
        }
        List<ImportedElement> elements = new ArrayList<>();
        for (String element : ELEMENTS.values()) {
            elements.add(new ImportedElement(element, CATEGORY, options.shardSize(), options.metric(), MultipleChoiceItems.DEFAULT_DELIMITER,
                    items.get(element), fewshot.get(element), "MMLU test, " + options.shots() + "-shot from dev, " + dir.toAbsolutePath().normalize()));
        }
        return elements;
    }

    static Map<String, String> categories(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode map = root.has("subject_to_category") ? root.get("subject_to_category") : root;
        Map<String, String> out = new TreeMap<>();
        map.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    private static Map<String, Path> subjects(Path dir, String suffix) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                out.put(name.substring(0, name.length() - suffix.length()), f);
            }
        }
        return out;
    }

    static List<Question> read(Path csv) throws IOException {
        List<List<String>> rows;
        try {
            rows = Csv.parse(Files.readString(csv, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(csv + ": " + e.getMessage(), e);
        }
        List<Question> out = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (r == 0 && !row.isEmpty() && row.get(0).equals("question")) {
                continue;
            }
            if (row.size() != 6) {
                throw new IOException(csv + " row " + (r + 1) + " has " + row.size() + " fields, expected 6");
            }
            out.add(new Question(row.get(0), List.copyOf(row.subList(1, 5)), answer(row.get(5).trim(), csv, r)));
        }
        return out;
    }

    private static int answer(String a, Path csv, int row) throws IOException {
        int letter = PromptFormats.MMLU_CHOICES.indexOf(a);
        if (letter >= 0) {
            return letter;
        }
        if (a.matches("[0-3]")) {
            return Integer.parseInt(a);
        }
        throw new IOException(csv + " row " + (row + 1) + " has answer '" + a + "', expected 0-3 or A-D");
    }

    record Question(String question, List<String> choices, int answer) {
    }
}
