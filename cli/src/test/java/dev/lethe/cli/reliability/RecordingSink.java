package dev.lethe.cli.reliability;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real {@link SinkRunner} (its own consumer group, committed offsets) feeding a sink that keeps the last
 * ForgettingMetric per key; {@link #stop()} and {@link #startAgainWithColdCaches()} replace the runner, so the new one starts with cold registry
 * caches and resumes from the group's committed offsets, as a restarted {@code lethe sink} would.
 */
final class RecordingSink implements AutoCloseable {

    private final ClusterConfig config;
    private final SinkRunnerConfig runnerConfig;
    private final Map<String, ForgettingMetric> last = new TreeMap<>();
    private final MetricSink sink = new MetricSink() {
        @Override
        public String name() {
            return "reliability";
        }

        @Override
        public void onMetric(ForgettingMetric metric) {
            synchronized (last) {
                last.put(MetricKeys.of(metric), Pipeline.atEpoch(metric));
            }
        }
    };
    private SinkRunner runner;
    private long deadLettersOfEarlierRunners;

    private RecordingSink(ClusterConfig config) {
        this.config = config;
        this.runnerConfig = SinkRunnerConfig.defaults("reliability", StartPosition.COMMITTED)
                .withGroupId(config.topicPrefix() + "sink").withFlushInterval(Duration.ofMillis(500));
        this.runner = SinkRunner.start(config, runnerConfig, sink);
    }

    static RecordingSink start(ClusterConfig config) {
        return new RecordingSink(config);
    }

    /** Stops the runner; it flushes and commits what it delivered. */
    synchronized void stop() {
        runner.close();
        deadLettersOfEarlierRunners += runner.progress().deadLetters();
    }

    /** Starts a new runner in the same group (it resumes from the committed offsets) with cold registry caches. */
    synchronized void startAgainWithColdCaches() {
        runner = SinkRunner.start(Pipeline.withColdRegistryCaches(config), runnerConfig, sink);
    }

    /** Waits until the sink has read and flushed everything committed now; returns the last metric per key. */
    Map<String, ForgettingMetric> awaitCaughtUp(Duration timeout) throws InterruptedException {
        SinkRunner current;
        synchronized (this) {
            current = runner;
        }
        if (!current.awaitCaughtUp(timeout)) {
            throw new AssertionError("the sink did not catch up within " + timeout + ": " + current.progress());
        }
        synchronized (last) {
            return new TreeMap<>(last);
        }
    }

    /** Records every runner so far dead-lettered. */
    synchronized long deadLetters() {
        return deadLettersOfEarlierRunners + runner.progress().deadLetters();
    }

    @Override
    public synchronized void close() {
        runner.close();
    }
}
