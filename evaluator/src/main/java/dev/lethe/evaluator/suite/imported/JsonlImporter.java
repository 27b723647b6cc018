package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.llm.MultipleChoiceItem;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Imports a hand-made or exported lm-evaluation-harness-style multiple-choice JSON Lines file as-is (one item per
 * line: {@code {"context", "choices", "gold"}}, {@code label} accepted for {@code gold}) as one element of the given
 * name and category; contexts are taken verbatim (any k-shot prefix already in them).
 */
final class JsonlImporter {

    private JsonlImporter() {
    }

    public static List<ImportedElement> importFrom(Path file, String benchmark, String category, ImportOptions options) throws IOException {
        List<MultipleChoiceItem> items = ImportedSuites.readItems(file, Map.of());
        if (items.isEmpty()) {
            throw new IOException(file + " has no items");
        }
        List<ImportedElement.ImportedItem> out = items.stream()
                .map(i -> new ImportedElement.ImportedItem(i.id(), null, i.context(), i.choices(), i.gold())).toList();
        return List.of(new ImportedElement(benchmark, category, options.shardSize(), options.metric(), MultipleChoiceItems.DEFAULT_DELIMITER,
                out, Map.of(), "multiple-choice JSONL " + file.toAbsolutePath().normalize()));
    }
}
