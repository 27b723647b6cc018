package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The ELEMENT, CATEGORY and MODEL forgetting records of one model run from its score matrix (formulas:
 * docs/METRICS.md), and the arithmetic they share. The records are computed by {@link IncrementalRun}, the code the
 * aggregator runs, so they are exactly what it publishes on lethe.forgetting.
 *
 * <p>Every record at stage s depends only on cells at stages <= s, and its {@code updatedAt} is the newest
 * event time of those cells, so the records are a pure function of the matrix whatever order the cells came in.
 */
public final class RunMetrics {

    /** The category of the per-task elements GEM ACC/BWT are computed from; excluded from MODEL averages. */
    public static final String TASK_CATEGORY = "task";

    private RunMetrics() {
    }

    /** All final records of the run in publication order; empty until the run has a stage-0 cell. */
    public static List<ForgettingMetric> compute(ScoreMatrix matrix) {
        return FinalRun.of(matrix, AlertConfig.defaults()).metrics();
    }

    /** CATEGORY and MODEL values are unweighted means of their parts' values. */
    static ForgettingMetric.Builder withMeans(ForgettingMetric.Builder builder, List<ForgettingMetric> parts) {
        return builder
                .setBaselineScore(mean(parts, ForgettingMetric::getBaselineScore))
                .setScore(mean(parts, ForgettingMetric::getScore))
                .setFgPct(mean(parts, ForgettingMetric::getFgPct))
                .setFinalDropPct(mean(parts, ForgettingMetric::getFinalDropPct))
                .setMaxForgettingPp(mean(parts, ForgettingMetric::getMaxForgettingPp))
                .setDeltaPrevPp(mean(parts, ForgettingMetric::getDeltaPrevPp))
                .setChancePct(mean(parts, ForgettingMetric::getChancePct))
                .setChanceNormalisedFgPct(mean(parts, ForgettingMetric::getChanceNormalisedFgPct));
    }

    /** Unweighted mean of the non-null values; null when there are none. */
    static Double mean(List<ForgettingMetric> records, Function<ForgettingMetric, Double> field) {
        double sum = 0;
        int count = 0;
        for (ForgettingMetric record : records) {
            Double value = field.apply(record);
            if (value != null) {
                sum += value;
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    /** sqrt(sum se^2) / count: the standard error of a mean of independent scores; null if any is undefined. */
    static Double pooledStderr(List<ForgettingMetric> records) {
        double sumSquares = 0;
        for (ForgettingMetric record : records) {
            Double se = record.getStderrPp();
            if (se == null) {
                return null;
            }
            sumSquares += se * se;
        }
        return Math.sqrt(sumSquares) / records.size();
    }

    static Instant max(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }
}
