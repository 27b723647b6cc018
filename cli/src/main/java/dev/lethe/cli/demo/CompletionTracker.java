package dev.lethe.cli.demo;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.MetricSink;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Knows which metrics a finished campaign must have produced and ticks them off as {@code lethe.forgetting}
 * records arrive: one ELEMENT record per (model run, stage, suite element).
 *
 * <p>Every expected ELEMENT record present means every shard of every checkpoint has been scored and reached the
 * aggregator; the demo then waits for the aggregator and the sinks to go quiet, so the CATEGORY, MODEL and FAMILY
 * records derived from them are final too.
 */
final class CompletionTracker implements MetricSink {

    /** One checkpoint the trainer will publish, with the suite elements it is scored on. */
    record ExpectedCheckpoint(String campaign, String model, int stage, List<String> benchmarks) {
    }

    private final Set<String> expected = new HashSet<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Set<String> metricKeys = ConcurrentHashMap.newKeySet();
    /** alertId -> whether its latest record is RESOLVED. */
    private final Map<String, Boolean> alertResolved = new ConcurrentHashMap<>();
    private final AtomicLong metricRecords = new AtomicLong();
    private final AtomicLong alertRecords = new AtomicLong();

    CompletionTracker(List<ExpectedCheckpoint> checkpoints) {
        for (ExpectedCheckpoint c : checkpoints) {
            for (String benchmark : c.benchmarks()) {
                expected.add(elementKey(c.campaign(), c.model(), c.stage(), benchmark));
            }
        }
    }

    @Override
    public String name() {
        return "demo-completion";
    }

    @Override
    public boolean consumesAlerts() {
        return true;
    }

    @Override
    public void onMetric(ForgettingMetric m) {
        metricRecords.incrementAndGet();
        metricKeys.add(m.getCampaign() + '|' + m.getFamily() + '|' + m.getModel() + '|' + m.getStage() + '|'
                + m.getScope() + '|' + m.getCategory() + '|' + m.getBenchmark());
        if (m.getScope() == MetricScope.ELEMENT) {
            String key = elementKey(m.getCampaign(), m.getModel(), m.getStage(), m.getBenchmark());
            if (expected.contains(key)) {
                seen.add(key);
            }
        }
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        alertRecords.incrementAndGet();
        alertResolved.put(alert.getAlertId(), AlertLifecycle.isResolved(alert));
    }

    boolean complete() {
        return seen.size() == expected.size();
    }

    int expectedCount() {
        return expected.size();
    }

    int seenCount() {
        return seen.size();
    }

    /** Distinct metric keys seen so far: the final records, one per line of metrics.jsonl once the campaign is done. */
    int distinctMetrics() {
        return metricKeys.size();
    }

    /** Every ForgettingMetric record read, re-emissions of a key included (at least {@link #distinctMetrics()}). */
    long metricRecordsEmitted() {
        return metricRecords.get();
    }

    /** Distinct alertIds and their latest state: one line of alerts.jsonl per alert. */
    AlertLifecycle.Counts alerts() {
        return AlertLifecycle.Counts.ofStates(alertResolved.values());
    }

    /** Every KnowledgeLossAlert record read: firings, re-emissions and resolutions (alert updates, not alerts). */
    long alertRecordsEmitted() {
        return alertRecords.get();
    }

    private static String elementKey(String campaign, String model, int stage, String benchmark) {
        return "E|" + campaign + '|' + model + '|' + stage + '|' + benchmark;
    }
}
