package dev.lethe.evaluator.llm;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * lm-evaluation-harness's {@code exact_match} ({@code lm_eval/api/metrics.py} {@code exact_match_hf_evaluate}) with the
 * settings of its {@code gsm8k} task: the {@code regexes_to_ignore} {@code ","}, {@code "\$"}, {@code "(?s).*#### "},
 * {@code "\.$"} removed in that order from both the filtered response and the target (the full reference solution, so
 * everything up to its last {@code "#### "} goes), then both lower-cased ({@code ignore_case: true}) and compared.
 * Python's {@code $} matches at the end or before a final newline: Java's under {@link Pattern#UNIX_LINES}.
 */
final class ExactMatch {

    private static final List<Pattern> GSM8K_IGNORED = List.of(
            Pattern.compile(",", Pattern.UNIX_LINES),
            Pattern.compile("\\$", Pattern.UNIX_LINES),
            Pattern.compile("(?s).*#### ", Pattern.UNIX_LINES),
            Pattern.compile("\\.$", Pattern.UNIX_LINES));

    private ExactMatch() {
    }

    /** Whether the filtered response equals the target under the gsm8k task's normalisation. */
    public static boolean gsm8k(String filteredResponse, String target) {
        return normalise(filteredResponse).equals(normalise(target));
    }

    static String normalise(String text) {
        String s = text;
        for (Pattern p : GSM8K_IGNORED) {
            s = p.matcher(s).replaceAll("");
        }
        return s.toLowerCase(Locale.ROOT);
    }
}
