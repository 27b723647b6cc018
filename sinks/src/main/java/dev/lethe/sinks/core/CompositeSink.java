package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several view sinks fed by one consumer (the demo's console, JSON Lines, Prometheus and report share one read of
 * the topics). A failing member is logged and does not starve the others.
 */
public final class CompositeSink implements MetricSink {

    private static final Logger LOG = LoggerFactory.getLogger(CompositeSink.class);

    private final String name;
    private final List<MetricSink> members;

    public CompositeSink(String name, List<MetricSink> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a composite sink needs at least one member");
        }
        this.name = name;
        this.members = List.copyOf(members);
    }

    public List<MetricSink> members() {
        return members;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean consumesMetrics() {
        return members.stream().anyMatch(MetricSink::consumesMetrics);
    }

    @Override
    public boolean consumesAlerts() {
        return members.stream().anyMatch(MetricSink::consumesAlerts);
    }

    @Override
    public void open(SinkContext context) {
        members.forEach(m -> m.open(context));
    }

    @Override
    public void onMetric(ForgettingMetric metric) {
        each(m -> {
            if (m.consumesMetrics()) {
                m.onMetric(metric);
            }
        });
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        each(m -> {
            if (m.consumesAlerts()) {
                m.onAlert(alert);
            }
        });
    }

    @Override
    public void flush() {
        each(MetricSink::flush);
    }

    /** Runs {@code action} on every member, then rethrows the first failure (so the runner does not commit). */
    private void each(java.util.function.Consumer<MetricSink> action) {
        RuntimeException first = null;
        for (MetricSink m : members) {
            try {
                action.accept(m);
            } catch (RuntimeException e) {
                LOG.error("sink {} failed", m.name(), e);
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        for (MetricSink m : members) {
            try {
                m.close();
            } catch (Exception e) {
                LOG.warn("sink {}: close failed", m.name(), e);
            }
        }
    }
}
