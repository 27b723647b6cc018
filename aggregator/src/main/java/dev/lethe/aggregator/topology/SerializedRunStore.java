package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.RunStore;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.StageSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One model run's {@link RunStore} that keeps each value as the bytes the aggregator's stores hold, encoding on every
 * write and decoding on a read that misses the run-aggregator's {@link DecodedCache}: an upper bound on the aggregator's
 * per-record state cost without RocksDB and Kafka (its {@link WriteBackStore}s encode a key once per commit, not per
 * write). For benchmarks.
 */
public final class SerializedRunStore implements RunStore {

    private byte[] summary;
    private final Map<String, byte[]> series = new HashMap<>();
    private final Map<String, TreeMap<Integer, byte[]>> cells = new HashMap<>();
    private final Map<Integer, TreeMap<String, byte[]>> slices = new HashMap<>();
    private long bytesRead;
    private long bytesWritten;
    private final DecodedCache cache = new DecodedCache(2048);

    @Override
    public RunSummary summary() {
        return cache.summaries().computeIfAbsent("run",
                k -> summary == null ? null : RunStateCodecs.SUMMARY.deserializer().deserialize(null, read(summary)));
    }

    @Override
    public void put(RunSummary value) {
        if (value.takeChanged()) {
            summary = written(RunStateCodecs.SUMMARY.serializer().serialize(null, value));
        }
        cache.summaries().put("run", value);
    }

    @Override
    public ElementSeries series(String element) {
        return cache.series().computeIfAbsent(element, k -> {
            byte[] bytes = series.get(element);
            if (bytes == null) {
                return null;
            }
            ElementSeries loaded = RunStateCodecs.SERIES.deserializer().deserialize(null, read(bytes));
            for (byte[] cell : cells.getOrDefault(element, new TreeMap<>()).values()) {
                RunStateCodecs.CELL.deserializer().deserialize(null, read(cell)).applyTo(loaded);
            }
            loaded.takeChangedStages();
            loaded.takeHeaderChanged();
            return loaded;
        });
    }

    @Override
    public void put(ElementSeries value) {
        if (value.takeHeaderChanged()) {
            series.put(value.element(), written(RunStateCodecs.SERIES.serializer().serialize(null, value)));
        }
        for (int stage : value.takeChangedStages()) {
            cells.computeIfAbsent(value.element(), e -> new TreeMap<>()).put(stage,
                    written(RunStateCodecs.CELL.serializer().serialize(null, RunStateCodecs.StageCell.of(value, stage))));
        }
        cache.series().put(value.element(), value);
    }

    @Override
    public StageSlice slice(int stage) {
        StoredSlice stored = cache.slices().computeIfAbsent(Integer.toString(stage), k -> {
            TreeMap<String, byte[]> parts = slices.get(stage);
            if (parts == null) {
                return null;
            }
            List<StageSlice> elements = new ArrayList<>();
            parts.forEach((suffix, bytes) -> {
                if (!suffix.isEmpty()) {
                    elements.add(RunStateCodecs.SLICE.deserializer().deserialize(null, read(bytes)));
                }
            });
            byte[] header = parts.get("");
            return StoredSlice.read(stage, header == null ? null
                    : RunStateCodecs.SLICE.deserializer().deserialize(null, read(header)), elements);
        });
        return stored == null ? null : stored.slice();
    }

    @Override
    public void put(StageSlice value) {
        cache.storedSlice(Integer.toString(value.stage()), value).writeChanges((suffix, part) -> write(value, suffix, part));
    }

    @Override
    public void put(StageSlice value, String element) {
        cache.storedSlice(Integer.toString(value.stage()), value).writeChanges(element, (suffix, part) -> write(value, suffix, part));
    }

    private void write(StageSlice slice, String suffix, StageSlice part) {
        slices.computeIfAbsent(slice.stage(), s -> new TreeMap<>())
                .put(suffix, written(RunStateCodecs.SLICE.serializer().serialize(null, part)));
    }

    /** Value bytes decoded so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Value bytes encoded so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    private byte[] read(byte[] bytes) {
        bytesRead += bytes.length;
        return bytes;
    }

    private byte[] written(byte[] bytes) {
        bytesWritten += bytes.length;
        return bytes;
    }
}
