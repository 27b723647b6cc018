package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.StageSlice;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run-aggregator's last-written state objects, so the next event of the same run reads them without decoding
 * (decoding was a third of the aggregator's CPU time). Coherent by construction: one cache per processor instance,
 * made in {@code init()}; the processor is the only writer of its task's stores and puts every object it changes; a
 * failed transaction or a moved task re-creates the processor and with it an empty cache.
 */
final class DecodedCache {

    private final Map<String, RunSummary> summaries;
    private final Map<String, ElementSeries> series;
    private final Map<String, StoredSlice> slices;

    DecodedCache(int entriesPerStore) {
        this.summaries = lru(entriesPerStore);
        this.series = lru(entriesPerStore);
        this.slices = lru(entriesPerStore);
    }

    Map<String, RunSummary> summaries() {
        return summaries;
    }

    Map<String, ElementSeries> series() {
        return series;
    }

    Map<String, StoredSlice> slices() {
        return slices;
    }

    /** The stored form of {@code slice}: the cached one when it holds this very slice, else a new unwritten one. */
    StoredSlice storedSlice(String key, StageSlice slice) {
        StoredSlice stored = slices.get(key);
        if (stored == null || stored.slice() != slice) {
            stored = StoredSlice.unwritten(slice);
            slices.put(key, stored);
        }
        return stored;
    }

    private static <V> Map<String, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
