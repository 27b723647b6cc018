package dev.lethe.sinks.report;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.sinks.core.AtomicFiles;
import dev.lethe.sinks.core.MetricKey;
import dev.lethe.sinks.core.MetricSink;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes {@code DIR/report.html} from {@code lethe.forgetting} and {@code lethe.alerts}: forgetting curves per family,
 * the final FG table and the alerts (see {@link ReportPage}), rewritten atomically on flush when something changed.
 */
public final class ReportSink implements MetricSink {

    public static final String REPORT_FILE = "report.html";

    private final Path dir;
    private final Clock clock;
    private final Map<MetricKey, ForgettingMetric> metrics = new HashMap<>();
    private final Map<String, KnowledgeLossAlert> alerts = new HashMap<>();
    private boolean changed = true;

    public ReportSink(Path dir) {
        this(dir, Clock.systemUTC());
    }

    public ReportSink(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "report";
    }

    public Path reportFile() {
        return dir.resolve(REPORT_FILE);
    }

    @Override
    public void onMetric(ForgettingMetric metric) {
        // ELEMENT records are not drawn: the report works at category, model and family level
        if (metric.getScope() != MetricScope.ELEMENT) {
            metrics.put(MetricKey.of(metric), metric);
            changed = true;
        }
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        alerts.put(alert.getAlertId(), alert);
        changed = true;
    }

    @Override
    public void flush() {
        if (changed) {
            AtomicFiles.write(reportFile(), ReportPage.render(metrics.values(), alerts.values(), clock.instant()));
            changed = false;
        }
    }
}
