package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.StageSlice;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * A {@link StageSlice} as the store keeps it: one part per element (whether it is planned or refused at this stage,
 * and once scored its ELEMENT record, drop test and flags) and one <em>header</em> part (the published CATEGORY and
 * MODEL records and the alert states), each a value of its own, so an event rewrites only the parts it changed instead
 * of the whole slice (writing the whole slice was 40 % of the aggregator's CPU per event at 64 elements, and grew with
 * the suite).
 *
 * <p>Each part is itself a StageSlice holding only that part, so one codec ({@link RunStateCodecs#SLICE}) reads all,
 * and a reader that lists a run's parts (the query server) sees every record and alert exactly once. What was written
 * last is remembered by object identity: {@link dev.lethe.aggregator.metrics.IncrementalRun} replaces an entry, record
 * or alert object only when it changed.
 */
final class StoredSlice {

    /** Separates the stage's header key from its elements' keys, which extend it. */
    static final String ELEMENT_SEPARATOR = "\u0000";

    /** What an element's part held when last written. */
    private record WrittenElement(StageSlice.Entry entry, String plannedCategory, boolean planned, boolean refused) {
    }

    private final StageSlice slice;
    private final Map<String, WrittenElement> writtenElements = new HashMap<>();
    private final Map<String, ForgettingMetric> writtenPublished = new HashMap<>();
    private final Map<String, KnowledgeLossAlert> writtenAlerts = new HashMap<>();
    private boolean headerWritten;

    private StoredSlice(StageSlice slice) {
        this.slice = slice;
    }

    /** A slice not written yet: its first {@link #writeChanges} writes every part. */
    static StoredSlice unwritten(StageSlice slice) {
        return new StoredSlice(slice);
    }

    /** The slice assembled from the parts read back from a store, all of them counted as written; null when none. */
    static StoredSlice read(int stage, StageSlice header, Iterable<StageSlice> elementParts) {
        StageSlice slice = new StageSlice(stage);
        elementParts.forEach(part -> {
            slice.planned().putAll(part.planned());
            slice.refused().addAll(part.refused());
            slice.entries().putAll(part.entries());
        });
        if (header == null && slice.planned().isEmpty() && slice.refused().isEmpty() && slice.entries().isEmpty()) {
            return null;
        }
        if (header != null) {
            slice.published().putAll(header.published());
            slice.alerts().putAll(header.alerts());
        }
        StoredSlice stored = new StoredSlice(slice);
        stored.writeChanges((suffix, part) -> { }); // what was read is what is written
        return stored;
    }

    StageSlice slice() {
        return slice;
    }

    /**
     * Hands every part changed since the last call to {@code write} as (key suffix, part): "" for the header, {@link
     * #ELEMENT_SEPARATOR} + element for an element's part.
     */
    void writeChanges(BiConsumer<String, StageSlice> write) {
        slice.entries().keySet().forEach(element -> writeIfChanged(element, write));
        slice.planned().keySet().forEach(element -> writeIfChanged(element, write));
        slice.refused().forEach(element -> writeIfChanged(element, write));
        if (!headerWritten || !sameObjects(writtenPublished, slice.published()) || !sameObjects(writtenAlerts, slice.alerts())) {
            write.accept("", new StageSlice(slice.stage(), new TreeMap<>(), new TreeSet<>(), new TreeMap<>(),
                    new TreeMap<>(slice.published()), new TreeMap<>(slice.alerts())));
            writtenPublished.clear();
            writtenPublished.putAll(slice.published());
            writtenAlerts.clear();
            writtenAlerts.putAll(slice.alerts());
            headerWritten = true;
        }
    }

    /**
     * As {@link #writeChanges(BiConsumer)}, when only {@code element}'s part can have changed since the last call: that
     * part alone is checked (every part when the slice was never written).
     */
    void writeChanges(String element, BiConsumer<String, StageSlice> write) {
        if (!headerWritten) {
            writeChanges(write);
        } else {
            writeIfChanged(element, write);
        }
    }

    private void writeIfChanged(String element, BiConsumer<String, StageSlice> write) {
        StageSlice.Entry entry = slice.entries().get(element);
        String plannedCategory = slice.planned().get(element);
        boolean planned = plannedCategory != null || slice.planned().containsKey(element);
        boolean refused = slice.refused().contains(element);
        WrittenElement before = writtenElements.get(element);
        if (before != null && before.entry() == entry && before.planned() == planned && before.refused() == refused
                && Objects.equals(before.plannedCategory(), plannedCategory)) {
            return;
        }
        WrittenElement now = new WrittenElement(entry, plannedCategory, planned, refused);
        TreeMap<String, String> plannedPart = new TreeMap<>();
        if (planned) {
            plannedPart.put(element, plannedCategory);
        }
        TreeSet<String> refusedPart = new TreeSet<>();
        if (refused) {
            refusedPart.add(element);
        }
        TreeMap<String, StageSlice.Entry> entryPart = new TreeMap<>();
        if (entry != null) {
            entryPart.put(element, entry);
        }
        write.accept(ELEMENT_SEPARATOR + element, new StageSlice(slice.stage(), plannedPart, refusedPart, entryPart,
                new TreeMap<>(), new TreeMap<>()));
        writtenElements.put(element, now);
    }

    /** The same keys holding the very same objects (the maps only ever gain keys, and replace changed values). */
    private static <V> boolean sameObjects(Map<String, V> written, Map<String, V> now) {
        if (written.size() != now.size()) {
            return false;
        }
        for (Map.Entry<String, V> e : now.entrySet()) {
            if (written.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
