package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.llm.ChoiceMetric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Imports CrowS-Pairs ({@code crows_pairs_anonymized.csv}, the authors' release: index, {@code sent_more},
 * {@code sent_less}, {@code stereo_antistereo}, {@code bias_type}, ...) as one {@value #CATEGORY} element per bias type,
 * {@code crows-pairs-<bias_type>} in name order, pairs in file order, scored as lm-evaluation-harness's
 * {@code crows_pairs_english_*} tasks: no context ({@code doc_to_text: ""}, {@code target_delimiter: ""}), choices
 * {@code [sent_more, sent_less]}, metric {@code pct_stereotype} (the pair counts when the more-stereotyping sentence is
 * strictly more likely), polarity closer-to-50-is-better. The harness's overall {@code crows_pairs_english} is the
 * pair-weighted mean of the nine elements.
 */
final class CrowsPairsImporter {

    public static final String CATEGORY = "bias";
    public static final String PREFIX = "crows-pairs-";
    static final String FILE = "crows_pairs_anonymized.csv";

    private CrowsPairsImporter() {
    }

    /** @param from the CSV file, its folder, or a data folder holding {@code crows-pairs/} */
    public static List<ImportedElement> importFrom(Path from, ImportOptions options) throws IOException {
        Path file = JsonLines.locate(from, "crows-pairs", FILE);
        List<List<String>> rows;
        try {
            rows = Csv.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        List<String> header = rows.get(0);
        int more = column(header, "sent_more", file);
        int less = column(header, "sent_less", file);
        int type = column(header, "bias_type", file);
        Map<String, List<ImportedElement.ImportedItem>> byType = new TreeMap<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != header.size()) {
                throw new IOException(file + " row " + (r + 1) + " has " + row.size() + " fields, the header " + header.size());
            }
            String bias = row.get(type).trim();
            if (!ImportedSuites.isSafeName(PREFIX + bias)) {
                throw new IOException(file + " row " + (r + 1) + ": bias type '" + bias + "' cannot name an element");
            }
            String id = "crows-pairs/" + (row.get(0).isBlank() ? Integer.toString(r - 1) : row.get(0).trim());
            byType.computeIfAbsent(bias, k -> new ArrayList<>())
                    .add(new ImportedElement.ImportedItem(id, null, "", List.of(row.get(more), row.get(less)), 0));
        }
        List<ImportedElement> elements = new ArrayList<>();
        byType.forEach((bias, items) -> elements.add(new ImportedElement(PREFIX + bias, CATEGORY, options.shardSize(),
                ChoiceMetric.PCT_STEREOTYPE, "", items, Map.of(), "CrowS-Pairs " + bias + ", " + file.toAbsolutePath().normalize())));
        return elements;
    }

    private static int column(List<String> header, String name, Path file) throws IOException {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IOException(file + " has no '" + name + "' column (header " + header + ")");
        }
        return i;
    }
}
