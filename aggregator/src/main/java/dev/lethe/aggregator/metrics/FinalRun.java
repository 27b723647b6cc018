package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The final records and firing alerts of one model run, computed from its whole matrix at once by feeding every
 * cell to {@link IncrementalRun} in stage order: the same code the aggregator runs one event at a time, so
 * {@code lethe metrics} and the live topology cannot disagree on a number.
 *
 * @param metrics ELEMENT, CATEGORY and MODEL records, by stage, then ELEMENT (by element), CATEGORY (by
 *                category), MODEL; empty until the run has a stage-0 cell
 * @param alerts  the alerts that fire on the whole data, by stage then alertId
 */
public record FinalRun(List<ForgettingMetric> metrics, List<KnowledgeLossAlert> alerts) {

    private static final Comparator<ForgettingMetric> PUBLICATION = Comparator
            .comparingInt(ForgettingMetric::getStage)
            .thenComparing(ForgettingMetric::getScope)
            .thenComparing(ForgettingMetric::getBenchmark, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ForgettingMetric::getCategory, Comparator.nullsFirst(Comparator.naturalOrder()));

    public static FinalRun of(ScoreMatrix matrix, AlertConfig config) {
        IncrementalRun run = new IncrementalRun(matrix.run(), RunStore.inMemory(), config);
        Map<String, ForgettingMetric> metrics = new LinkedHashMap<>();
        Map<String, KnowledgeLossAlert> alerts = new LinkedHashMap<>();
        for (ScoreCell cell : matrix.cells()) {
            IncrementalRun.Update update = run.score(cell, "", Instant.EPOCH);
            update.metrics().forEach(m -> metrics.put(m.getStage() + "\u0000" + StageSlice.key(m), m));
            update.alerts().forEach(a -> alerts.put(a.getAlertId(), a));
        }
        List<ForgettingMetric> records = new ArrayList<>(metrics.values());
        records.sort(PUBLICATION);
        List<KnowledgeLossAlert> firing = new ArrayList<>(alerts.values().stream()
                .filter(a -> a.getState() == AlertState.FIRING).toList());
        firing.sort(Comparator.comparingInt(KnowledgeLossAlert::getStage).thenComparing(KnowledgeLossAlert::getAlertId));
        return new FinalRun(records, firing);
    }
}
