package dev.lethe.cli.bench;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where a Streams application's threads spent their time, from Kafka Streams' own thread metrics: how many polls,
 * process calls, punctuations and commits, and their total time (count × mean latency; the means cover the last
 * minute, so for a pass shorter than that they cover the pass). It tells a pass bound by its own work from one bound
 * by waiting for the broker (fetches, exactly-once commits).
 */
final class StreamThreadTime {

    private static final String[] OPERATIONS = {"poll", "process", "punctuate", "commit"};

    private StreamThreadTime() {
    }

    static String of(KafkaStreams streams) {
        Map<String, Double> values = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if ("stream-thread-metrics".equals(e.getKey().group()) && e.getValue().metricValue() instanceof Double d) {
                values.merge(e.getKey().name(), d.isNaN() ? 0 : d, Double::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        for (String op : OPERATIONS) {
            double count = values.getOrDefault(op + "-total", 0.0);
            double meanMs = values.getOrDefault(op + "-latency-avg", 0.0);
            out.append(String.format("%s%s %.0f x %.2f ms = %.2f s", out.length() == 0 ? "" : ", ", op, count, meanMs,
                    count * meanMs / 1e3));
        }
        Double blocked = values.get("blocked-time-ns-total");
        if (blocked != null) {
            out.append(String.format(", blocked in the clients %.2f s", blocked / 1e9));
        }
        return out.toString();
    }
}
