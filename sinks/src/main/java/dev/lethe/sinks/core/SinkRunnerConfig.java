package dev.lethe.sinks.core;

import java.time.Duration;

/**
 * Settings of one sink pipeline (one consumer feeding one {@link MetricSink}).
 *
 * @param groupId       consumer group that owns the committed offsets (lag is visible per group); default
 *                      {@code lethe-sink-<sink name>}
 * @param startPosition EARLIEST rebuilds the view from the topics' start, COMMITTED resumes; default per sink
 * @param pollTimeout   longest wait of one poll; default 200 ms
 * @param flushInterval longest time received records stay unflushed while the sink is behind; it is flushed at
 *                      once whenever it has caught up; default 1 s (0 = after every poll)
 * @param lagInterval   how often the end offsets are fetched to compute the lag; default 250 ms
 */
public record SinkRunnerConfig(String groupId, StartPosition startPosition, Duration pollTimeout, Duration flushInterval,
                               Duration lagInterval) {

    public static SinkRunnerConfig defaults(String sinkName, StartPosition startPosition) {
        return new SinkRunnerConfig("lethe-sink-" + sinkName, startPosition, Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofMillis(250));
    }

    public SinkRunnerConfig withGroupId(String id) {
        return new SinkRunnerConfig(id, startPosition, pollTimeout, flushInterval, lagInterval).validated();
    }

    public SinkRunnerConfig withStartPosition(StartPosition position) {
        return new SinkRunnerConfig(groupId, position, pollTimeout, flushInterval, lagInterval).validated();
    }

    public SinkRunnerConfig withFlushInterval(Duration interval) {
        return new SinkRunnerConfig(groupId, startPosition, pollTimeout, interval, lagInterval).validated();
    }

    /** Checks every field; the message names the offending key. */
    public SinkRunnerConfig validated() {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("group.id (--group-id) must not be empty");
        }
        if (startPosition == null) {
            throw new IllegalArgumentException("start position (--from) must be EARLIEST or COMMITTED");
        }
        positive("poll timeout", pollTimeout, false);
        positive("flush interval (--flush-interval)", flushInterval, true);
        positive("lag interval", lagInterval, true);
        return this;
    }

    private static void positive(String name, Duration d, boolean zeroAllowed) {
        if (d == null || d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", got " + d);
        }
    }
}
