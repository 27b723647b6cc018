package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every final record of a set of model runs, computed at once from their cells: what {@code lethe metrics}
 * prints and what the last record per key on lethe.forgetting / lethe.alerts equals once the aggregator has
 * seen the same scores.
 *
 * @param metrics ELEMENT, CATEGORY, MODEL and FAMILY records in {@link MetricOrder#METRICS} order
 * @param alerts  the alerts the final matrices raise, in {@link MetricOrder#ALERTS} order
 */
public record MetricsReport(List<ForgettingMetric> metrics, List<KnowledgeLossAlert> alerts) {

    public MetricsReport {
        metrics = List.copyOf(metrics);
        alerts = List.copyOf(alerts);
    }

    /** Computes the report of the given matrices (one per model run). */
    public static MetricsReport of(Collection<ScoreMatrix> matrices, AlertConfig config) {
        List<ForgettingMetric> metrics = new ArrayList<>();
        List<KnowledgeLossAlert> alerts = new ArrayList<>();
        for (ScoreMatrix matrix : matrices) {
            FinalRun run = FinalRun.of(matrix, config);
            metrics.addAll(run.metrics());
            alerts.addAll(run.alerts());
        }
        metrics.addAll(FamilyMetrics.computeAll(metrics));
        metrics.sort(MetricOrder.METRICS);
        alerts.sort(MetricOrder.ALERTS);
        return new MetricsReport(metrics, alerts);
    }

    /** Groups cells of many runs into matrices; a run's family must be the same on every cell. */
    public static List<ScoreMatrix> matrices(Collection<Map.Entry<RunKey, ScoreCell>> cells) {
        Map<String, ScoreMatrix> byRun = new LinkedHashMap<>();
        for (Map.Entry<RunKey, ScoreCell> entry : cells) {
            RunKey run = entry.getKey();
            ScoreMatrix matrix = byRun.computeIfAbsent(run.id(), id -> new ScoreMatrix(run));
            if (!matrix.run().family().equals(run.family())) {
                throw new IllegalArgumentException("model run " + run.id() + " is in family " + matrix.run().family()
                        + " and " + run.family());
            }
            matrix.put(entry.getValue());
        }
        return new ArrayList<>(byRun.values());
    }
}
