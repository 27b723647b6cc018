package dev.lethe.sinks.jsonl;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.AtomicFiles;
import dev.lethe.sinks.core.MetricKey;
import dev.lethe.sinks.core.MetricSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON Lines view of {@code lethe.forgetting} and {@code lethe.alerts}: {@code DIR/metrics.jsonl} and
 * {@code DIR/alerts.jsonl} hold the latest record per key, in {@link RecordJson}'s shape (the one {@code lethe metrics}
 * prints), ordered by family, model, stage, scope, category, benchmark, and are rewritten atomically on flush.
 */
public final class JsonlSink implements MetricSink {

    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String ALERTS_FILE = "alerts.jsonl";

    private final Path dir;
    private final Map<MetricKey, ForgettingMetric> metrics = new TreeMap<>(MetricKey.ORDER);
    private final Map<String, KnowledgeLossAlert> alerts = new HashMap<>();
    private boolean metricsChanged = true;
    private boolean alertsChanged = true;

    public JsonlSink(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return "jsonl";
    }

    public Path metricsFile() {
        return dir.resolve(METRICS_FILE);
    }

    public Path alertsFile() {
        return dir.resolve(ALERTS_FILE);
    }

    @Override
    public void onMetric(ForgettingMetric metric) {
        metrics.put(MetricKey.of(metric), metric);
        metricsChanged = true;
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        alerts.put(alert.getAlertId(), alert);
        alertsChanged = true;
    }

    /** Rewrites the files that changed (both exist after the first flush, possibly empty). */
    @Override
    public void flush() {
        if (metricsChanged) {
            StringBuilder out = new StringBuilder();
            metrics.values().forEach(m -> out.append(RecordJson.toJson(m)).append('\n'));
            AtomicFiles.write(metricsFile(), out.toString());
            metricsChanged = false;
        }
        if (alertsChanged) {
            List<KnowledgeLossAlert> sorted = new ArrayList<>(alerts.values());
            sorted.sort(MetricKey.ALERT_ORDER);
            StringBuilder out = new StringBuilder();
            sorted.forEach(a -> out.append(RecordJson.toJson(a)).append('\n'));
            AtomicFiles.write(alertsFile(), out.toString());
            alertsChanged = false;
        }
    }
}
