package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.List;

/**
 * The sudden-knowledge-loss rule of docs/METRICS.md: a significant (exact McNemar when both checkpoints have
 * per-item bitsets, else a two-proportion z-test; Bonferroni over the suite's elements) and large enough drop
 * of an element from its previous stage, and upward crossings of the category FG threshold.
 */
public final class KnowledgeLossRules {

    private KnowledgeLossRules() {
    }

    /** Every alert the run's whole matrix raises, in stage order; empty until the run has a baseline. */
    public static List<KnowledgeLossAlert> evaluate(ScoreMatrix matrix, AlertConfig config) {
        return FinalRun.of(matrix, config).alerts();
    }

    /** The drop test of element {@code benchmark} at {@code stage} against its previous stage with a score. */
    public static DropOutcome test(ScoreMatrix matrix, int stage, String benchmark) {
        ElementSeries series = new ElementSeries(matrix.run(), benchmark, matrix.categoryOf(benchmark));
        for (int s : matrix.stages()) {
            ScoreCell cell = matrix.get(s, benchmark);
            if (cell != null) {
                series.put(cell);
            }
        }
        return series.drop(stage);
    }

    /** campaign/model/stage-s/benchmark-or-category:c/RULE: the same finding always gets the same id. */
    public static String alertId(RunKey run, int stage, String subject, AlertRule rule) {
        return run.campaign() + "/" + run.model() + "/stage-" + stage + "/" + subject + "/" + rule;
    }
}
