package dev.lethe.evaluator.llm;

import java.util.List;
import java.util.Locale;

/**
 * How a multiple-choice prediction is read from the per-choice log-likelihoods, exactly as lm-evaluation-harness
 * does it (METRICS-RESEARCH.md §3): {@code acc} takes the arg-max of the summed log-likelihoods, {@code acc_norm}
 * the arg-max of log-likelihood divided by the choice's length in characters (without the leading delimiter).
 * Ties go to the first choice, like {@code numpy.argmax}.
 */
public enum ChoiceMetric {
    ACC("acc"),
    ACC_NORM("acc_norm");

    private final String id;

    ChoiceMetric(String id) {
        this.id = id;
    }

    /** The name used in suite files and the harness ({@code acc}, {@code acc_norm}). */
    public String id() {
        return id;
    }

    public static ChoiceMetric fromId(String id) {
        for (ChoiceMetric m : values()) {
            if (m.id.equals(id == null ? null : id.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("metric must be acc or acc_norm, got '" + id + "'");
    }

    /** The predicted choice index for these log-likelihoods ({@code logLikelihoods[i]} belongs to {@code choices[i]}). */
    public int predict(double[] logLikelihoods, List<String> choices) {
        if (logLikelihoods.length != choices.size()) {
            throw new IllegalArgumentException(logLikelihoods.length + " log-likelihoods for " + choices.size() + " choices");
        }
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logLikelihoods.length; i++) {
            double v = this == ACC ? logLikelihoods[i] : logLikelihoods[i] / characterLength(choices.get(i));
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("NaN log-likelihood for choice " + i);
            }
            if (best < 0 || v > bestValue) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }

    /** Python's {@code len(str)}: code points, not UTF-16 units (the harness's {@code completion_len}). */
    static int characterLength(String s) {
        return s.codePointCount(0, s.length());
    }
}
