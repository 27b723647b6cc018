package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunStore;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.StageSlice;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One model run's {@link RunStore} over the aggregator's four run stores: {@value AggregatorTopology#RUN_SUMMARIES}
 * (key campaign/model), {@value AggregatorTopology#RUN_SERIES} (key campaign/model NUL element: the header),
 * {@value AggregatorTopology#RUN_CELLS} (key campaign/model NUL element NUL stage: one stage of it) and {@value
 * AggregatorTopology#RUN_STAGES} (key campaign/model NUL stage, zero-padded so a prefix scan lists stages in order:
 * the stage's header; and that key NUL element: one element's part of the stage, see {@link StoredSlice}).
 */
final class StoreRunStore implements RunStore {

    private final String run;
    private final KeyValueStore<String, RunSummary> summaries;
    private final KeyValueStore<String, ElementSeries> series;
    private final KeyValueStore<String, RunStateCodecs.StageCell> cells;
    private final KeyValueStore<String, StageSlice> stages;
    private final DecodedCache cache;

    StoreRunStore(String runId, KeyValueStore<String, RunSummary> summaries, KeyValueStore<String, ElementSeries> series,
                  KeyValueStore<String, RunStateCodecs.StageCell> cells, KeyValueStore<String, StageSlice> stages,
                  DecodedCache cache) {
        this.run = runId;
        this.summaries = summaries;
        this.series = series;
        this.cells = cells;
        this.stages = stages;
        this.cache = cache;
    }

    /** {@code campaign/model NUL element}. */
    static String seriesKey(String runId, String element) {
        return runId + "\u0000" + element;
    }

    /** {@code campaign/model NUL stage}, the stage zero-padded to ten digits. */
    static String stageKey(String runId, int stage) {
        return runId + "\u0000" + StageKeys.padded(stage);
    }

    /** The run of a {@link #stageKey}. */
    static String runOfStageKey(String stageKey) {
        return stageKey.substring(0, stageKey.lastIndexOf('\u0000'));
    }

    /** The stage of a {@link #stageKey}. */
    static int stageOfStageKey(String stageKey) {
        return Integer.parseInt(stageKey.substring(stageKey.lastIndexOf('\u0000') + 1));
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
        if (summary.takeChanged()) { // about once per stage: not rewritten for every element's event
            summaries.put(run, summary);
        }
        cache.summaries().put(run, summary);
    }

    @Override
    public ElementSeries series(String element) {
        return cache.series().computeIfAbsent(seriesKey(run, element), this::load);
    }

    /** The series' header and, by a prefix scan, its stages. */
    private ElementSeries load(String key) {
        ElementSeries loaded = series.get(key);
        if (loaded == null) {
            return null;
        }
        try (KeyValueIterator<String, RunStateCodecs.StageCell> range = cells.prefixScan(key + "\u0000",
                new StringSerializer())) {
            range.forEachRemaining(kv -> kv.value.applyTo(loaded));
        }
        loaded.takeChangedStages();
        loaded.takeHeaderChanged();
        return loaded;
    }

    @Override
    public void put(ElementSeries value) {
        String key = seriesKey(run, value.element());
        if (value.takeHeaderChanged()) {
            series.put(key, value);
        }
        for (int stage : value.takeChangedStages()) {
            cells.put(key + "\u0000" + StageKeys.padded(stage), RunStateCodecs.StageCell.of(value, stage));
        }
        cache.series().put(key, value);
    }

    @Override
    public StageSlice slice(int stage) {
        StoredSlice stored = cache.slices().computeIfAbsent(stageKey(run, stage), key -> {
            List<StageSlice> parts = new ArrayList<>();
            try (KeyValueIterator<String, StageSlice> range = stages.prefixScan(key + StoredSlice.ELEMENT_SEPARATOR,
                    new StringSerializer())) {
                range.forEachRemaining(kv -> parts.add(kv.value));
            }
            return StoredSlice.read(stage, stages.get(key), parts);
        });
        return stored == null ? null : stored.slice();
    }

    @Override
    public void put(StageSlice slice) {
        String key = stageKey(run, slice.stage());
        cache.storedSlice(key, slice).writeChanges((suffix, part) -> stages.put(key + suffix, part));
    }

    @Override
    public void put(StageSlice slice, String element) {
        String key = stageKey(run, slice.stage());
        cache.storedSlice(key, slice).writeChanges(element, (suffix, part) -> stages.put(key + suffix, part));
    }
}
