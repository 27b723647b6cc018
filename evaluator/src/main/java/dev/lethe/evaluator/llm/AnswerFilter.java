package dev.lethe.evaluator.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer extraction of lm-evaluation-harness's {@code gsm8k} task ({@code lm_eval/tasks/gsm8k/gsm8k.yaml},
 * version 3.0, at EleutherAI/lm-evaluation-harness@4e7e0d47): two filter pipelines over the generated text, each a
 * {@code regex} filter ({@code lm_eval/filters/extraction.py} {@code RegexFilter}) then {@code take_first}.
 * <ul>
 *   <li>{@code strict-match}: {@code #### (\-?[0-9\.\,]+)}, the first match's group;</li>
 *   <li>{@code flexible-extract}: {@code (-?[$0-9.,]{2,})|(-?[0-9]+)} with {@code group_select: -1}: the last match,
 *       and of its groups the first non-empty one.</li>
 * </ul>
 * The extracted text is stripped; no match gives the harness's fallback {@value #FALLBACK}.
 */
public enum AnswerFilter {
    STRICT_MATCH("strict-match", Pattern.compile("#### (\\-?[0-9\\.\\,]+)"), false),
    FLEXIBLE_EXTRACT("flexible-extract", Pattern.compile("(-?[$0-9.,]{2,})|(-?[0-9]+)"), true);

    /** {@code RegexFilter}'s default fallback when nothing matches. */
    public static final String FALLBACK = "[invalid]";

    private final String id;
    private final Pattern pattern;
    private final boolean last;

    AnswerFilter(String id, Pattern pattern, boolean last) {
        this.id = id;
        this.pattern = pattern;
        this.last = last;
    }

    /** The harness's filter name ({@code strict-match}, {@code flexible-extract}). */
    public String id() {
        return id;
    }

    public static AnswerFilter fromId(String id) {
        for (AnswerFilter f : values()) {
            if (f.id.equals(id == null ? null : id.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("answer filter must be strict-match or flexible-extract, got '" + id + "'");
    }

    /** The answer this filter extracts from a model's response, or {@value #FALLBACK}. */
    public String extract(String response) {
        // Python's findall: every non-overlapping match, each as its tuple of groups
        List<List<String>> matches = new ArrayList<>();
        Matcher m = pattern.matcher(response == null ? "" : response);
        while (m.find()) {
            List<String> groups = new ArrayList<>();
            for (int g = 1; g <= m.groupCount(); g++) {
                groups.add(m.group(g) == null ? "" : m.group(g));
            }
            matches.add(groups);
        }
        if (matches.isEmpty()) {
            return FALLBACK;
        }
        List<String> chosen = matches.get(last ? matches.size() - 1 : 0);
        String value = chosen.stream().filter(g -> !g.isEmpty()).findFirst().orElse(null);
        return value == null ? FALLBACK : value.strip();
    }
}
