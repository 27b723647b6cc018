package dev.lethe.aggregator.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * Where {@link IncrementalRun} keeps one model run's state, in three parts sized for incremental work: the run's
 * {@link RunSummary}, one {@link ElementSeries} per element (the only part with bitsets) and one {@link StageSlice}
 * per stage. The aggregator backs it with Kafka Streams stores; {@code lethe metrics} with {@link #inMemory}.
 * Getters return null for what does not exist yet.
 */
public interface RunStore {

    RunSummary summary();

    void put(RunSummary summary);

    ElementSeries series(String element);

    void put(ElementSeries series);

    StageSlice slice(int stage);

    void put(StageSlice slice);

    /**
     * As {@link #put(StageSlice)}, when only {@code element}'s part of the slice (its entry, plan or refusal) can have
     * changed since the slice was last put or read: a store that writes slices in parts then checks that part alone,
     * instead of every element of the stage for every event.
     */
    default void put(StageSlice slice, String element) {
        put(slice);
    }

    /** A store in plain maps, for one run. */
    static RunStore inMemory() {
        return new RunStore() {
            private RunSummary summary;
            private final Map<String, ElementSeries> series = new HashMap<>();
            private final Map<Integer, StageSlice> slices = new HashMap<>();

            @Override
            public RunSummary summary() {
                return summary;
            }

            @Override
            public void put(RunSummary value) {
                summary = value;
            }

            @Override
            public ElementSeries series(String element) {
                return series.get(element);
            }

            @Override
            public void put(ElementSeries value) {
                series.put(value.element(), value);
            }

            @Override
            public StageSlice slice(int stage) {
                return slices.get(stage);
            }

            @Override
            public void put(StageSlice value) {
                slices.put(value.stage(), value);
            }
        };
    }
}
