package dev.lethe.sinks.prometheus;

import dev.lethe.schemas.ForgettingMetric;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One family of gauges (one metric name, fixed label names) fed from ForgettingMetric records: each label set shows
 * the value of its latest stage, so a late re-emission of an earlier stage does not move it back.
 */
final class ForgettingGauges {

    /** A gauge's value; NaN until the field is defined. Written by the runner thread, read by scrapes. */
    private static final class Cell {
        volatile double value = Double.NaN;
        int stage = -1;

        double get() {
            return value;
        }
    }

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final List<String> labels;
    private final Function<ForgettingMetric, List<String>> labelValues;
    private final Function<ForgettingMetric, Number> field;
    private final Map<List<String>, Cell> cells = new HashMap<>();

    ForgettingGauges(MeterRegistry registry, String name, String description, List<String> labels,
                     Function<ForgettingMetric, List<String>> labelValues, Function<ForgettingMetric, Number> field) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.labels = labels;
        this.labelValues = labelValues;
        this.field = field;
    }

    void update(ForgettingMetric m) {
        List<String> values = labelValues.apply(m);
        Cell cell = cells.get(values);
        if (cell == null) {
            Number v = field.apply(m);
            if (v == null) {
                return; // no series until the value is defined (undefined values are null, never 0)
            }
            cell = new Cell();
            cells.put(values, cell);
            Tags tags = Tags.empty();
            for (int i = 0; i < labels.size(); i++) {
                tags = tags.and(labels.get(i), values.get(i));
            }
            Gauge.builder(name, cell, Cell::get).description(description).tags(tags).strongReference(true).register(registry);
        }
        if (m.getStage() >= cell.stage) {
            Number v = field.apply(m);
            cell.stage = m.getStage();
            cell.value = v == null ? Double.NaN : v.doubleValue();
        }
    }

    int series() {
        return cells.size();
    }
}
