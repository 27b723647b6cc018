package dev.lethe.evaluator.suite.imported;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.llm.PromptFormats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Imports BoolQ (the original Google JSON Lines {@code {question, title, answer: bool, passage}}, or {@code label} 0/1)
 * as the {@code reasoning} element {@code boolq} (the paper's reasoning category lists BoolQ), 0-shot with
 * lm-evaluation-harness's {@code super_glue/boolq} prompt and choices {@code no}/{@code yes}.
 */
final class BoolqImporter {

    public static final String BENCHMARK = "boolq";
    public static final String CATEGORY = "reasoning";
    static final String FILE = "dev.jsonl";

    private BoolqImporter() {
    }

    /** @param from the JSONL file, its folder, or a data folder holding {@code boolq/} */
    public static List<ImportedElement> importFrom(Path from, ImportOptions options) throws IOException {
        Path file = JsonLines.locate(from, "boolq", FILE);
        List<ImportedElement.ImportedItem> items = new ArrayList<>();
        JsonLines.forEach(file, (lineNo, q) -> {
            JsonNode answer = q.has("answer") ? q.get("answer") : q.get("label");
            if (answer == null || !q.hasNonNull("question") || !q.hasNonNull("passage")) {
                throw new IOException(file + " line " + lineNo + ": needs question, passage and answer (or label)");
            }
            int gold = answer.isBoolean() ? (answer.asBoolean() ? 1 : 0) : answer.asInt(-1);
            if (gold != 0 && gold != 1) {
                throw new IOException(file + " line " + lineNo + ": answer must be true/false or 0/1, got " + answer);
            }
            items.add(new ImportedElement.ImportedItem("boolq/" + (lineNo - 1), null,
                    PromptFormats.boolqQuery(q.get("passage").asText(), q.get("question").asText()), PromptFormats.BOOLQ_CHOICES, gold));
        });
        return List.of(new ImportedElement(BENCHMARK, CATEGORY, options.shardSize(), options.metric(), MultipleChoiceItems.DEFAULT_DELIMITER,
                items, Map.of(), "BoolQ dev, 0-shot, " + file.toAbsolutePath().normalize()));
    }
}
