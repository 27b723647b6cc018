package dev.lethe.sinks;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.sinks.console.ConsoleSink;
import dev.lethe.sinks.core.CompositeSink;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.SinkProgress;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.sinks.report.ReportSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo's view sinks in one process on one consumer of {@code lethe.forgetting} and {@code lethe.alerts}:
 * {@code OUT/metrics.jsonl}, {@code OUT/alerts.jsonl}, {@code OUT/report.html}, and optionally the Prometheus
 * endpoint and the live console table. Start, wait with {@link #awaitCaughtUp}, then {@link #close()}.
 */
public final class ViewSinks implements AutoCloseable {

    /**
     * What to run besides the JSON Lines and the report.
     *
     * @param groupId    consumer group of the views; default {@code lethe-sink-views}
     * @param console    the live table, or null for none
     * @param prometheus the exposition endpoint settings, or null for none
     * @param reportInterval shortest time between two renderings of report.html while records stream in
     *                       (rendered in the background; {@link #close()} writes the final one); default 5 s
     */
    public record Options(String groupId, ConsoleSink console, PrometheusSinkConfig prometheus, Duration reportInterval) {

        public static Options defaults() {
            return new Options("lethe-sink-views", null, null, ReportSink.DEFAULT_MIN_INTERVAL);
        }

        public Options withConsole(ConsoleSink sink) {
            return new Options(groupId, sink, prometheus, reportInterval);
        }

        public Options withPrometheus(PrometheusSinkConfig config) {
            return new Options(groupId, console, config, reportInterval);
        }

        public Options withGroupId(String id) {
            return new Options(id, console, prometheus, reportInterval);
        }

        public Options withReportInterval(Duration interval) {
            return new Options(groupId, console, prometheus, interval);
        }
    }

    private final SinkRunner runner;
    private final JsonlSink jsonl;
    private final ReportSink report;
    private final PrometheusSink prometheus;

    private ViewSinks(SinkRunner runner, JsonlSink jsonl, ReportSink report, PrometheusSink prometheus) {
        this.runner = runner;
        this.jsonl = jsonl;
        this.report = report;
        this.prometheus = prometheus;
    }

    /** Starts the views against {@code cluster}, writing into {@code outDir}; the Prometheus endpoint is up on return. */
    public static ViewSinks start(ClusterConfig cluster, Path outDir, Options options) {
        JsonlSink jsonl = new JsonlSink(outDir);
        ReportSink report = new ReportSink(outDir, java.time.Clock.systemUTC(), options.reportInterval());
        List<MetricSink> members = new ArrayList<>(List.of(jsonl, report));
        PrometheusSink prometheus = null;
        if (options.prometheus() != null) {
            prometheus = new PrometheusSink(options.prometheus()).start();
            members.add(prometheus);
        }
        if (options.console() != null) {
            members.add(options.console());
        }
        SinkRunnerConfig config = SinkRunnerConfig.defaults("views", StartPosition.EARLIEST).withGroupId(options.groupId());
        CompositeSink composite = new CompositeSink("views", members);
        try {
            return new ViewSinks(SinkRunner.start(cluster, config, composite), jsonl, report, prometheus);
        } catch (RuntimeException e) {
            composite.close(); // the endpoint is already listening
            throw e;
        }
    }

    public SinkRunner runner() {
        return runner;
    }

    public JsonlSink jsonl() {
        return jsonl;
    }

    public ReportSink report() {
        return report;
    }

    public Optional<PrometheusSink> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /**
     * True once everything committed to the topics at some moment after the call was read and the JSON Lines
     * written (report.html follows within the report interval, and is final after {@link #close()}).
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return runner.awaitCaughtUp(timeout);
    }

    public SinkProgress progress() {
        return runner.progress();
    }

    /** Records read so far from both topics. */
    public long recordsConsumed() {
        return runner.recordsConsumed();
    }

    /** Rewrites the files now (they are also rewritten whenever the views catch up). */
    public void flush() throws InterruptedException {
        runner.flush();
    }

    /** Flushes a last time and stops (the Prometheus endpoint closes too). */
    @Override
    public void close() {
        runner.close();
    }
}
