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
 * snapshots: how many polls, records processed, punctuations and commits, and their time (count × mean latency; the
 * means cover the last minute, so the time is an estimate), and the time blocked in the clients. It tells a pass bound
 * by its own work from one bound by waiting for the broker (fetches, exactly-once commits).
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
            double count = values.getOrDefault(op + "-total", 0.0);
            counts.put(op, count);
            seconds.put(op, count * values.getOrDefault(op + "-latency-avg", 0.0) / 1e3);
        }
        seconds.put("blocked", values.getOrDefault("blocked-time-ns-total", 0.0) / 1e9);
        seconds.put("cpu", streamThreadCpuSeconds());
        counts.put("fetch", values.getOrDefault("fetch-total", 0.0));
        seconds.put("fetch", values.getOrDefault("fetch-total", 0.0) * values.getOrDefault("fetch-latency-avg", 0.0) / 1e3);
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
            out.append(String.format("%s%s %.0f, %.2f s", out.length() == 0 ? "" : "; ", op,
                    counts.get(op) - before.counts.get(op), seconds.get(op) - before.seconds.get(op)));
        }
        double fetches = counts.get("fetch") - before.counts.get("fetch");
        double fetchSeconds = seconds.get("fetch") - before.seconds.get("fetch");
        return out.append(String.format("; blocked in the clients %.2f s; the main consumer's fetches %.0f, %.1f ms each;"
                        + " CPU of the stream threads %.2f s", seconds.get("blocked") - before.seconds.get("blocked"), fetches,
                fetches == 0 ? 0 : fetchSeconds * 1e3 / fetches, seconds.get("cpu") - before.seconds.get("cpu")))
                .toString();
    }
}
