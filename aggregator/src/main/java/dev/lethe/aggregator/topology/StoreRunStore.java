package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunStore;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.StageSlice;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One model run's {@link RunStore} over the aggregator's three stores: {@value AggregatorTopology#RUN_SUMMARIES}
 * (key campaign/model), {@value AggregatorTopology#RUN_SERIES} (key campaign/model NUL element) and {@value
 * AggregatorTopology#RUN_STAGES} (key campaign/model NUL stage, zero-padded so a prefix scan lists stages in order).
 */
final class StoreRunStore implements RunStore {

    private final String run;
    private final KeyValueStore<String, RunSummary> summaries;
    private final KeyValueStore<String, ElementSeries> series;
    private final KeyValueStore<String, StageSlice> stages;
    private final DecodedCache cache;

    StoreRunStore(String runId, KeyValueStore<String, RunSummary> summaries, KeyValueStore<String, ElementSeries> series,
                  KeyValueStore<String, StageSlice> stages, DecodedCache cache) {
        this.run = runId;
        this.summaries = summaries;
        this.series = series;
        this.stages = stages;
        this.cache = cache;
    }

    /** {@code campaign/model NUL element}. */
    static String seriesKey(String runId, String element) {
        return runId + "\u0000" + element;
    }

    /** {@code campaign/model NUL stage}, the stage zero-padded to ten digits. */
    static String stageKey(String runId, int stage) {
        return runId + "\u0000" + String.format("%010d", stage);
    }

    /** The prefix under which every key of one run sorts. */
    static String prefix(RunKey run) {
        return run.id() + "\u0000";
    }

    @Override
    public RunSummary summary() {
        return cache.summaries().computeIfAbsent(run, summaries::get);
    }

    @Override
    public void put(RunSummary summary) {
        summaries.put(run, summary);
        cache.summaries().put(run, summary);
    }

    @Override
    public ElementSeries series(String element) {
        return cache.series().computeIfAbsent(seriesKey(run, element), series::get);
    }

    @Override
    public void put(ElementSeries value) {
        String key = seriesKey(run, value.element());
        series.put(key, value);
        cache.series().put(key, value);
    }

    @Override
    public StageSlice slice(int stage) {
        return cache.slices().computeIfAbsent(stageKey(run, stage), stages::get);
    }

    @Override
    public void put(StageSlice slice) {
        String key = stageKey(run, slice.stage());
        stages.put(key, slice);
        cache.slices().put(key, slice);
    }
}
