package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.llm.AnswerFilter;
import dev.lethe.evaluator.llm.GenerativeItems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Imports GSM8K ({@code test.jsonl}, one {@code {"question", "answer"}} per line, answers ending in {@code #### <n>}) as
 * two generative elements over the same prompts, one per answer filter of lm-evaluation-harness's {@code gsm8k} task:
 * {@value #STRICT} ({@code exact_match,strict-match}, category {@value #CATEGORY}) and {@value #FLEXIBLE}
 * ({@code exact_match,flexible-extract}, category {@value #FLEXIBLE_CATEGORY}, apart so a category mean never mixes the
 * two readings of the same answers). Prompt: k solved problems {@code "Question: q\nAnswer: <full solution>"} joined
 * by blank lines, then {@code "Question: q\nAnswer:"}; greedy, stop at {@code Question:}, {@code </s>},
 * {@code <|im_end|>}, at most 256 tokens (the task's {@code generation_kwargs} and the default {@code max_gen_toks}).
 * The harness draws its shots from the train split; given only the test file, the first k test problems are the
 * shots and are left out of the scored items ({@code train.jsonl} beside the test file is used instead when present).
 */
final class Gsm8kImporter {

    public static final String STRICT = "gsm8k-strict";
    public static final String FLEXIBLE = "gsm8k-flexible";
    public static final String CATEGORY = "generative";
    public static final String FLEXIBLE_CATEGORY = "generative-flexible";
    /** The task's {@code generation_kwargs.until}. */
    public static final List<String> UNTIL = List.of("Question:", "</s>", "<|im_end|>");
    static final String FILE = "test.jsonl";
    static final String TRAIN_FILE = "train.jsonl";
    static final String FEWSHOT_KEY = "gsm8k";

    private Gsm8kImporter() {
    }

    /** @param from the JSONL file, its folder, or a data folder holding {@code gsm8k/} */
    public static List<ImportedElement> importFrom(Path from, ImportOptions options) throws IOException {
        Path file = JsonLines.locate(from, "gsm8k", FILE);
        List<Problem> test = read(file);
        Path train = file.resolveSibling(TRAIN_FILE);
        boolean shotsFromTrain = Files.isRegularFile(train);
        List<Problem> pool = shotsFromTrain ? read(train) : test;
        if (pool.size() < options.shots() + (shotsFromTrain ? 0 : 1)) {
            throw new IOException((shotsFromTrain ? train : file) + " has " + pool.size() + " problems, too few for " + options.shots() + " shots");
        }
        StringBuilder prefix = new StringBuilder();
        for (Problem shot : pool.subList(0, options.shots())) {
            prefix.append(query(shot.question)).append(' ').append(shot.answer).append("\n\n");
        }
        List<ImportedElement.ImportedItem> items = new ArrayList<>();
        for (Problem p : test.subList(shotsFromTrain ? 0 : options.shots(), test.size())) {
            items.add(ImportedElement.ImportedItem.generative("gsm8k/" + p.index, prefix.isEmpty() ? null : FEWSHOT_KEY, query(p.question), p.answer));
        }
        Map<String, String> fewshot = prefix.isEmpty() ? Map.of() : Map.of(FEWSHOT_KEY, prefix.toString());
        String source = "GSM8K test, " + options.shots() + "-shot from " + (shotsFromTrain ? "train" : "the first test problems (left out)")
                + ", " + file.toAbsolutePath().normalize();
        return List.of(element(STRICT, CATEGORY, AnswerFilter.STRICT_MATCH, items, fewshot, source, options),
                element(FLEXIBLE, FLEXIBLE_CATEGORY, AnswerFilter.FLEXIBLE_EXTRACT, items, fewshot, source, options));
    }

    /** lm-evaluation-harness's {@code doc_to_text}. */
    public static String query(String question) {
        return "Question: " + question + "\nAnswer:";
    }

    private static ImportedElement element(String name, String category, AnswerFilter filter, List<ImportedElement.ImportedItem> items,
                                           Map<String, String> fewshot, String source, ImportOptions options) {
        return new ImportedElement(name, category, options.shardSize(), null, "", items, fewshot, source,
                new ImportedElement.Generation(filter, UNTIL, GenerativeItems.DEFAULT_MAX_TOKENS));
    }

    private static List<Problem> read(Path file) throws IOException {
        List<Problem> out = new ArrayList<>();
        JsonLines.forEach(file, (lineNo, q) -> {
            if (!q.hasNonNull("question") || !q.hasNonNull("answer") || !q.get("answer").asText().contains("#### ")) {
                throw new IOException(file + " line " + lineNo + ": needs question and an answer ending in '#### <number>'");
            }
            out.add(new Problem(out.size(), q.get("question").asText(), q.get("answer").asText()));
        });
        return out;
    }

    private record Problem(int index, String question, String answer) {
    }
}
