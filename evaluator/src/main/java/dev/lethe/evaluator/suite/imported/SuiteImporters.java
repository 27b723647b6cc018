package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.suite.Suite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The benchmarks {@code lethe suite import} knows, and the import itself (read, build prompts, write the suite directory). */
public final class SuiteImporters {

    /** An importable benchmark. */
    public enum Benchmark {
        MMLU, ARC, BOOLQ, GSM8K, CROWS_PAIRS,
        /** lm-evaluation-harness-style multiple-choice JSONL as-is; needs a benchmark name and category. */
        JSONL;

        public static Benchmark fromId(String id) {
            try {
                return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("benchmark must be mmlu, arc, boolq, gsm8k, crows-pairs or jsonl, got '" + id + "'");
            }
        }
    }

    private SuiteImporters() {
    }

    /** The elements {@code benchmark} gives from the files in {@code from}. */
    public static List<ImportedElement> read(Benchmark benchmark, Path from, ImportOptions options) throws IOException {
        return switch (benchmark) {
            case MMLU -> MmluImporter.importFrom(from, options);
            case ARC -> ArcImporter.importFrom(from, options);
            case BOOLQ -> BoolqImporter.importFrom(from, options);
            case GSM8K -> Gsm8kImporter.importFrom(from, options);
            case CROWS_PAIRS -> CrowsPairsImporter.importFrom(from, options);
            case JSONL -> throw new IllegalArgumentException("jsonl needs a benchmark name and category: use readJsonl");
        };
    }

    /** The one element a multiple-choice JSONL file gives, named {@code benchmark} in {@code category}. */
    public static List<ImportedElement> readJsonl(Path file, String benchmark, String category, ImportOptions options) throws IOException {
        return JsonlImporter.importFrom(file, benchmark, category, options);
    }

    /** Imports {@code benchmark} from {@code from} into the suite directory {@code out} (merging) and returns the suite. */
    public static Suite importInto(Benchmark benchmark, Path from, Path out, ImportOptions options) throws IOException {
        return ImportedSuites.write(out, read(benchmark, from, options));
    }
}
