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
 * Imports ARC-Challenge (JSON Lines, one question per line) as the {@code reasoning} element {@code arc-challenge},
 * 0-shot with lm-evaluation-harness's prompt ({@code "Question: q\nAnswer:"}, continuations the choice texts).
 * Accepts {@code {question, options: [{label, text}], answer}} and the Hugging Face layout
 * {@code {question, choices: {label: [], text: []}, answerKey}}.
 */
final class ArcImporter {

    public static final String BENCHMARK = "arc-challenge";
    public static final String CATEGORY = "reasoning";
    static final String FILE = "arc_challenge_test.jsonl";

    private ArcImporter() {
    }

    /** @param from the JSONL file, its folder, or a data folder holding {@code arc-challenge/} */
    public static List<ImportedElement> importFrom(Path from, ImportOptions options) throws IOException {
        Path file = JsonLines.locate(from, "arc-challenge", FILE);
        List<ImportedElement.ImportedItem> items = new ArrayList<>();
        JsonLines.forEach(file, (lineNo, q) -> {
            List<String> labels = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            if (q.has("options")) {
                for (JsonNode o : q.get("options")) {
                    labels.add(o.path("label").asText());
                    texts.add(o.path("text").asText());
                }
            } else {
                q.path("choices").path("label").forEach(l -> labels.add(l.asText()));
                q.path("choices").path("text").forEach(t -> texts.add(t.asText()));
            }
            String answer = q.has("answer") ? q.get("answer").asText() : q.path("answerKey").asText();
            int gold = labels.indexOf(answer);
            if (gold < 0 || texts.size() != labels.size() || !q.hasNonNull("question")) {
                throw new IOException(file + " line " + lineNo + ": answer '" + answer + "' is not one of the labels " + labels
                        + " (or the question is missing)");
            }
            String id = q.hasNonNull("id") ? q.get("id").asText() : "arc/" + (lineNo - 1);
            items.add(new ImportedElement.ImportedItem(id, null, PromptFormats.arcQuery(q.get("question").asText()), texts, gold));
        });
        return List.of(new ImportedElement(BENCHMARK, CATEGORY, options.shardSize(), options.metric(), MultipleChoiceItems.DEFAULT_DELIMITER,
                items, Map.of(), "ARC-Challenge test, 0-shot, " + file.toAbsolutePath().normalize()));
    }
}
