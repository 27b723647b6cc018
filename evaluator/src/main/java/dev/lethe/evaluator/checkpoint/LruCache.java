package dev.lethe.evaluator.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A bounded least-recently-used map; used by a worker to keep its few most recent models in memory.
 * Not thread-safe: each worker owns one and touches it only from its scoring thread.
 */
public final class LruCache<K, V> {

    /** Loads a value that is missing from the cache; may throw a checked exception. */
    @FunctionalInterface
    public interface Loader<K, V, E extends Exception> {
        V load(K key) throws E;
    }

    private final int capacity;
    private final Consumer<V> onEvict;
    private final LinkedHashMap<K, V> map;
    private long hits;
    private long misses;
    private long evictions;

    public LruCache(int capacity, Consumer<V> onEvict) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.onEvict = onEvict == null ? v -> { } : onEvict;
        this.map = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The cached value for {@code key}, loading (and possibly evicting the eldest entry) on a miss. */
    public <E extends Exception> V get(K key, Loader<K, V, E> loader) throws E {
        Objects.requireNonNull(key, "key");
        V value = map.get(key);
        if (value != null) {
            hits++;
            return value;
        }
        misses++;
        value = Objects.requireNonNull(loader.load(key), "loader returned null");
        map.put(key, value);
        while (map.size() > capacity) {
            Map.Entry<K, V> eldest = map.entrySet().iterator().next();
            map.remove(eldest.getKey());
            evictions++;
            onEvict.accept(eldest.getValue());
        }
        return value;
    }

    public boolean contains(K key) {
        return map.containsKey(key);
    }

    public int size() {
        return map.size();
    }

    public int capacity() {
        return capacity;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long evictions() {
        return evictions;
    }

    /** Drops every entry, handing each to the eviction callback (e.g. to free native memory). */
    public void clear() {
        map.values().forEach(onEvict);
        map.clear();
    }
}
