package dev.lethe.sinks.report;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.sinks.core.AtomicFiles;
import dev.lethe.sinks.core.DaemonThreads;
import dev.lethe.sinks.core.MetricKey;
import dev.lethe.sinks.core.MetricSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code DIR/report.html} from {@code lethe.forgetting} and {@code lethe.alerts}: forgetting curves per family,
 * the final FG table and the alerts (see {@link ReportPage}), rewritten atomically.
 *
 * <p>Drawing the charts costs CPU the pipeline needs, so with a {@code minInterval} the page is rendered on a
 * background thread from a snapshot, at most once per interval, always ending with the newest snapshot;
 * {@link #close()} renders the last one synchronously, so the file is complete once the sink is closed.
 * With {@code Duration.ZERO} every {@link #flush()} renders synchronously.
 */
public final class ReportSink implements MetricSink {

    public static final String REPORT_FILE = "report.html";
    /** Default shortest time between two renderings while records stream in. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(ReportSink.class);

    private record Snapshot(List<ForgettingMetric> metrics, int elementRecords, List<KnowledgeLossAlert> alerts) {
    }

    private final Path dir;
    private final Clock clock;
    private final Duration minInterval;
    private final Map<MetricKey, ForgettingMetric> metrics = new HashMap<>();
    private final Set<MetricKey> elementKeys = new HashSet<>();
    private final Map<String, KnowledgeLossAlert> alerts = new HashMap<>();
    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private volatile Snapshot latest;
    private volatile Snapshot written;
    private final Object renderLock = new Object();
    private ScheduledExecutorService renderer;
    private boolean scheduled;
    private long lastRenderEndNanos;
    private boolean changed = true;

    /** A report re-rendered in the background at most every {@link #DEFAULT_MIN_INTERVAL}. */
    public ReportSink(Path dir) {
        this(dir, Clock.systemUTC(), DEFAULT_MIN_INTERVAL);
    }

    public ReportSink(Path dir, Clock clock, Duration minInterval) {
        if (minInterval == null || minInterval.isNegative()) {
            throw new IllegalArgumentException("report interval (--render-interval-ms) must be >= 0, got " + minInterval);
        }
        this.dir = dir;
        this.clock = clock;
        this.minInterval = minInterval;
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
        // ELEMENT records are not drawn: the report works at category, model and family level; they are only counted,
        // so the page's record count is the same as metrics.jsonl's
        if (metric.getScope() == MetricScope.ELEMENT) {
            changed |= elementKeys.add(MetricKey.of(metric));
        } else {
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
        if (!changed) {
            return;
        }
        changed = false;
        Snapshot snapshot = new Snapshot(List.copyOf(metrics.values()), elementKeys.size(), List.copyOf(alerts.values()));
        latest = snapshot;
        if (minInterval.isZero()) {
            render(snapshot);
            return;
        }
        pending.set(snapshot);
        synchronized (this) {
            if (renderer == null) {
                ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("lethe-report-render"));
                // on close a waiting rendering is dropped (close renders the newest itself); a running one finishes
                executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
                renderer = executor;
            }
            if (!scheduled) {
                scheduled = true;
                long wait = Math.max(0, lastRenderEndNanos + minInterval.toNanos() - System.nanoTime());
                renderer.schedule(this::renderPending, lastRenderEndNanos == 0 ? 0 : wait, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void renderPending() {
        synchronized (this) {
            scheduled = false;
        }
        Snapshot snapshot = pending.getAndSet(null);
        if (snapshot != null) {
            try {
                render(snapshot);
            } catch (RuntimeException e) {
                LOG.error("cannot write {}", reportFile(), e);
            }
        }
        synchronized (this) {
            lastRenderEndNanos = System.nanoTime();
        }
    }

    private void render(Snapshot snapshot) {
        synchronized (renderLock) {
            AtomicFiles.write(reportFile(), ReportPage.render(snapshot.metrics(), snapshot.elementRecords(), snapshot.alerts(), clock.instant()));
            written = snapshot;
        }
    }

    /** Stops the background renderer and writes the newest snapshot, so the file is complete on return. */
    @Override
    public void close() {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = renderer;
            renderer = null;
        }
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pending.set(null);
        Snapshot last = latest;
        if (last != null && last != written) {
            render(last);
        }
    }
}
