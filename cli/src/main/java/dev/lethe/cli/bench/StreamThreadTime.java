package dev.lethe.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where a Streams application's threads spent a pass, from Kafka Streams' own thread metrics, as the difference of two
 * snapshots: how many polls, records processed, punctuations, commits and fetches, the time blocked in the clients
 * (a cumulative total) and the stream threads' CPU. It tells a pass bound by its own work from one bound by waiting for
 * the broker (fetches, exactly-once commits).
 *
 * <p>No time per operation: Kafka keeps only counts and windowed means (the last minute) for them, and a difference of
 * count × mean between two snapshots mixes the idle minute before a pass into it. Until run P this printed such
 * estimates, e.g. 520–690 ms per fetch whatever {@code fetch.max.wait.ms} was.
 */
final class StreamThreadTime {

    private static final String[] OPERATIONS = {"poll", "process", "punctuate", "commit"};

    private final Map<String, Double> counts;
    private final Map<String, Double> seconds;

    private StreamThreadTime(Map<String, Double> counts, Map<String, Double> seconds) {
        this.counts = counts;
        this.seconds = seconds;
    }

    static StreamThreadTime of(KafkaStreams streams) {
        Map<String, Double> values = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            boolean mainConsumer = "consumer-fetch-manager-metrics".equals(name.group()) && name.tags().size() == 1
                    && name.tags().getOrDefault("client-id", "").endsWith("-consumer");
            if (("stream-thread-metrics".equals(name.group()) || mainConsumer) && e.getValue().metricValue() instanceof Double d) {
                values.merge(name.name(), d.isNaN() ? 0 : d, Double::sum);
            }
        }
        Map<String, Double> counts = new TreeMap<>();
        Map<String, Double> seconds = new TreeMap<>();
        for (String op : OPERATIONS) {
            counts.put(op, values.getOrDefault(op + "-total", 0.0));
        }
        counts.put("fetch", values.getOrDefault("fetch-total", 0.0));
        seconds.put("blocked", values.getOrDefault("blocked-time-ns-total", 0.0) / 1e9);
        seconds.put("cpu", streamThreadCpuSeconds());
        return new StreamThreadTime(counts, seconds);
    }

    /** The CPU time of every live stream thread of this JVM (by name), to tell working from waiting. */
    private static double streamThreadCpuSeconds() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().contains("-StreamThread-")) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return nanos / 1e9;
    }

    /** What happened between {@code before} and this snapshot, in words. */
    String since(StreamThreadTime before) {
        StringBuilder out = new StringBuilder();
        for (String op : OPERATIONS) {
            out.append(String.format("%s%s %.0f", out.length() == 0 ? "" : ", ", op, counts.get(op) - before.counts.get(op)));
        }
        return out.append(String.format("; the main consumer's fetches %.0f; blocked in the clients %.2f s; CPU of the stream"
                        + " threads %.2f s", counts.get("fetch") - before.counts.get("fetch"),
                seconds.get("blocked") - before.seconds.get("blocked"), seconds.get("cpu") - before.seconds.get("cpu")))
                .toString();
    }
}
