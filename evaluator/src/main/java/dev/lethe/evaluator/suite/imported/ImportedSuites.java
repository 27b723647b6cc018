package dev.lethe.evaluator.suite.imported;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.evaluator.llm.AnswerFilter;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.llm.GenerativeItem;
import dev.lethe.evaluator.llm.GenerativeItems;
import dev.lethe.evaluator.llm.MultipleChoiceItem;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes an imported suite directory: {@value #DEFINITION} (the suite definition: one entry per element with
 * its benchmark, category, items file, shard size, metric, target delimiter and optional few-shot file) next to one
 * JSON Lines items file per element and its few-shot prefixes. The suite id is the directory's name; its version is
 * {@link Suite#version()}, a content hash over every item's exact context, choices and gold, the metric and the shard
 * layout, so re-importing the same data gives the same version and any change gives another.
 *
 * <p>Item lines: {@code {"id": "...", "fewshot": "<key>", "query": "...", "choices": ["A", ...], "gold": 1}} (context =
 * few-shot prefix + query), or lm-evaluation-harness-style multiple choice as-is: {@code {"context": "...",
 * "choices": [...], "gold": n}} ({@code label} is accepted for {@code gold}).
 */
public final class ImportedSuites {

    public static final String DEFINITION = "suite.json";
    public static final String FORMAT = "lethe-imported-suite 1";
    /** The {@code kind} of a generative element's entry; absent means multiple choice. */
    static final String GENERATIVE = "generative";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";

    private ImportedSuites() {
    }

    /** Whether {@code name} may be a suite id or file name inside a suite directory (no separators, no {@code ..}). */
    public static boolean isSafeName(String name) {
        return name != null && name.matches(NAME_PATTERN) && !name.contains("..");
    }

    /** Loads the suite in {@code dir}; its id is the directory's name. */
    public static Suite load(Path dir) throws IOException {
        String id = dir.toAbsolutePath().normalize().getFileName().toString();
        if (!isSafeName(id)) {
            throw new IOException("suite directory name '" + id + "' is not a valid suite id (" + NAME_PATTERN + ")");
        }
        JsonNode root = JSON.readTree(dir.resolve(DEFINITION).toFile());
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(dir.resolve(DEFINITION) + " is not a '" + FORMAT + "' suite definition");
        }
        List<SuiteElement> elements = new ArrayList<>();
        for (JsonNode e : root.path("elements")) {
            elements.add(loadElement(dir, e));
        }
        if (elements.isEmpty()) {
            throw new IOException(dir.resolve(DEFINITION) + " has no elements");
        }
        try {
            return new Suite(id, "", null, elements);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(DEFINITION) + ": " + e.getMessage(), e);
        }
    }

    private static SuiteElement loadElement(Path dir, JsonNode e) throws IOException {
        String benchmark = e.path("benchmark").asText(null);
        String where = dir.resolve(DEFINITION) + " element " + benchmark;
        try {
            String itemsFile = safeFile(e.path("items").asText(null), where);
            String fewshotFile = e.hasNonNull("fewshot") ? safeFile(e.get("fewshot").asText(), where) : null;
            Map<String, String> fewshot = fewshotFile == null ? Map.of()
                    : JSON.readValue(dir.resolve(fewshotFile).toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
            int shardSize = e.path("shardSize").asInt(0);
            if (GENERATIVE.equals(e.path("kind").asText())) {
                ItemSet items = new GenerativeItems(readGenerativeItems(dir.resolve(itemsFile), fewshot), AnswerFilter.fromId(e.path("filter").asText(null)),
                        strings(e.path("until")), e.path("maxTokens").asInt(GenerativeItems.DEFAULT_MAX_TOKENS));
                return SuiteElement.of(benchmark, e.path("category").asText(null), items, shardSize);
            }
            ChoiceMetric metric = ChoiceMetric.fromId(e.path("metric").asText("acc"));
            String delimiter = e.path("targetDelimiter").asText(MultipleChoiceItems.DEFAULT_DELIMITER);
            List<MultipleChoiceItem> items = readItems(dir.resolve(itemsFile), fewshot);
            return SuiteElement.of(benchmark, e.path("category").asText(null), new MultipleChoiceItems(items, metric, delimiter), shardSize);
        } catch (IllegalArgumentException ex) {
            throw new IOException(where + ": " + ex.getMessage(), ex);
        }
    }

    /** The items of a JSON Lines file; a {@code fewshot} key must name one of {@code fewshot}'s prefixes. */
    public static List<MultipleChoiceItem> readItems(Path file, Map<String, String> fewshot) throws IOException {
        return readLines(file, (node, where) -> item(node, fewshot, where));
    }

    /** The generative items ({@code {"id", "fewshot"?, "query", "target"}}) of a JSON Lines file. */
    static List<GenerativeItem> readGenerativeItems(Path file, Map<String, String> fewshot) throws IOException {
        return readLines(file, (node, where) -> {
            String id = node.hasNonNull("id") ? node.get("id").asText() : where;
            return new GenerativeItem(id, prefix(node, fewshot), node.path("query").asText(null), node.path("target").asText(null));
        });
    }

    private interface ItemReader<T> {
        T read(JsonNode node, String where) throws IOException;
    }

    private static <T> List<T> readLines(Path file, ItemReader<T> reader) throws IOException {
        List<T> items = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    items.add(reader.read(JSON.readTree(line), file.getFileName() + ":" + lineNo));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException(file + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        }
        return items;
    }

    private static String prefix(JsonNode node, Map<String, String> fewshot) {
        if (!node.hasNonNull("fewshot")) {
            return "";
        }
        String prefix = fewshot.get(node.get("fewshot").asText());
        if (prefix == null) {
            throw new IllegalArgumentException("unknown few-shot prefix '" + node.get("fewshot").asText() + "'");
        }
        return prefix;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static MultipleChoiceItem item(JsonNode node, Map<String, String> fewshot, String where) {
        String id = node.hasNonNull("id") ? node.get("id").asText() : where;
        String prefix = "";
        String query;
        if (node.hasNonNull("context")) {
            query = node.get("context").asText();
        } else if (node.hasNonNull("query")) {
            query = node.get("query").asText();
            prefix = prefix(node, fewshot);
        } else {
            throw new IllegalArgumentException("an item needs \"context\" (or \"query\")");
        }
        JsonNode choices = node.get("choices");
        if (choices == null || !choices.isArray()) {
            throw new IllegalArgumentException("an item needs a \"choices\" array");
        }
        List<String> texts = new ArrayList<>();
        choices.forEach(c -> texts.add(c.asText()));
        JsonNode gold = node.hasNonNull("gold") ? node.get("gold") : node.get("label");
        if (gold == null || !gold.canConvertToInt()) {
            throw new IllegalArgumentException("an item needs an integer \"gold\" (or \"label\")");
        }
        return new MultipleChoiceItem(id, prefix, query, texts, gold.asInt());
    }

    /**
     * Writes {@code elements} into the suite directory {@code dir} (created if needed): their items and few-shot files,
     * and {@value #DEFINITION}, where an element of the same benchmark is replaced in place and others are kept, so
     * several imports can build one suite (e.g. MMLU, then ARC and BoolQ). Returns the loaded suite.
     */
    public static Suite write(Path dir, List<ImportedElement> elements) throws IOException {
        String id = dir.toAbsolutePath().normalize().getFileName().toString();
        if (!isSafeName(id)) {
            throw new IOException("--out directory name '" + id + "' is not a valid suite id (" + NAME_PATTERN + ")");
        }
        Files.createDirectories(dir);
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        Path definition = dir.resolve(DEFINITION);
        if (Files.exists(definition)) {
            JsonNode existing = JSON.readTree(definition.toFile());
            if (existing == null || !FORMAT.equals(existing.path("format").asText())) {
                throw new IOException(definition + " exists but is not a '" + FORMAT + "' suite definition");
            }
            for (JsonNode e : existing.path("elements")) {
                entries.put(e.path("benchmark").asText(), e);
            }
        }
        for (ImportedElement element : elements) {
            if (!isSafeName(element.benchmark())) {
                throw new IOException("benchmark name '" + element.benchmark() + "' must be " + NAME_PATTERN + " (it names files)");
            }
            entries.put(element.benchmark(), writeElement(dir, element));
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("elements");
        entries.values().forEach(list::add);
        writeAtomically(definition, JSON.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()).writeValueAsBytes(root));
        return load(dir);
    }

    private static JsonNode writeElement(Path dir, ImportedElement element) throws IOException {
        String itemsFile = element.benchmark() + ".jsonl";
        Path tmp = Files.createTempFile(dir, itemsFile, ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (ImportedElement.ImportedItem item : element.items()) {
                ObjectNode line = JSON.createObjectNode();
                line.put("id", item.id());
                if (item.fewshot() != null) {
                    line.put("fewshot", item.fewshot());
                }
                line.put("query", item.query());
                if (element.generation() != null) {
                    line.put("target", item.target());
                } else {
                    ArrayNode choices = line.putArray("choices");
                    item.choices().forEach(choices::add);
                    line.put("gold", item.gold());
                }
                out.write(JSON.writeValueAsString(line));
                out.write('\n');
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, dir.resolve(itemsFile), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ObjectNode entry = JSON.createObjectNode();
        entry.put("benchmark", element.benchmark());
        entry.put("category", element.category());
        entry.put("items", itemsFile);
        entry.put("shardSize", element.shardSize());
        if (element.generation() != null) {
            entry.put("kind", GENERATIVE);
            entry.put("filter", element.generation().filter().id());
            ArrayNode until = entry.putArray("until");
            element.generation().until().forEach(until::add);
            entry.put("maxTokens", element.generation().maxTokens());
        } else {
            entry.put("metric", element.metric().id());
            entry.put("targetDelimiter", element.targetDelimiter());
        }
        if (!element.fewshot().isEmpty()) {
            String fewshotFile = element.benchmark() + ".fewshot.json";
            writeAtomically(dir.resolve(fewshotFile), JSON.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writerWithDefaultPrettyPrinter().writeValueAsBytes(element.fewshot()));
            entry.put("fewshot", fewshotFile);
        } else {
            Files.deleteIfExists(dir.resolve(element.benchmark() + ".fewshot.json"));
        }
        entry.put("source", element.source());
        return entry;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static String safeFile(String name, String where) throws IOException {
        if (!isSafeName(name)) {
            throw new IOException(where + ": file name '" + name + "' must be a plain name inside the suite directory");
        }
        return name;
    }
}
