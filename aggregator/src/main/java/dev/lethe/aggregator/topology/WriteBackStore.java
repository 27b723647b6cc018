package dev.lethe.aggregator.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent, changelogged key-value store that holds what its task wrote since the last commit as objects, and
 * writes each key once, at the commit, to the RocksDB store and changelog beneath it.
 *
 * <p>Why: Kafka Streams' own record cache serializes every put and keeps the bytes; the aggregator puts the same
 * keys (a shard set per shard, a stage's part per event) many times between two commits, and that serialization and
 * the cache's bookkeeping were a large part of its stream thread (BENCHMARKS.md, run O). Here a put is a map entry;
 * the value is serialized once per commit, in its state at the commit (or earlier, when a scan needs it written, or
 * when more than {@value #MAX_UNWRITTEN} keys wait: a bound on the objects held, where the record cache had a byte
 * budget).
 *
 * <p>Exactly-once is unchanged: the writes reach the changelog in the task's transaction, before it commits. That
 * relies on Kafka Streams calling {@link CachedStateStore#flushCache()} on each store before it flushes the
 * producer and commits (StreamTask#prepareCommit, which every commit, revocation and clean close goes through in
 * 4.4), the hook its own caching stores use. CachedStateStore is an internal interface, so an upgrade of Kafka Streams
 * must keep {@code WriteBackStoreTest} passing (TopologyTestDriver drives StreamTask's own commit), and a flush after a
 * commit that finds keys unwritten logs an ERROR. A task that fails is closed dirty: what it wrote back goes into the
 * transaction that is aborted, the state directory is wiped and restored, and {@link #close()} drops the rest.
 *
 * <p>Values are kept by reference: a processor that changes an object after putting it has that change written at
 * the commit, which is what it would have put next. Only the thread that writes (the task's stream thread) sees the
 * unwritten objects; interactive queries (other threads) read what was last written back: at most one commit interval
 * old, and, as with Kafka's own caching stores, possibly from a transaction that is then aborted.
 */
final class WriteBackStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

    private static final Logger LOG = LoggerFactory.getLogger(WriteBackStore.class);
    /**
     * Keys kept unwritten at most; one more writes them all back at once, into the open transaction as a commit would.
     * About 3 keys per score, so a default commit interval (100 ms) stays well below it at the rates `lethe bench`
     * measures; a long interval or a large backlog writes back sooner instead of growing the heap.
     */
    static final int MAX_UNWRITTEN = 20_000;

    private final KeyValueStore<String, V> committed;
    /** Keys written since the last commit, sorted so a prefix scan can tell whether any is under its prefix; null: deleted. */
    private final TreeMap<String, V> unwritten = new TreeMap<>();
    private int lateWriteBacks;
    /** The thread that writes: the task's stream thread (interactive queries only read). */
    private volatile Thread owner;

    private WriteBackStore(KeyValueStore<String, V> committed) {
        this.committed = committed;
    }

    /** A builder of this store over a persistent RocksDB store, changelogged, without Streams' record cache. */
    static <V> StoreBuilder<WriteBackStore<V>> builder(String name, Serde<V> valueSerde) {
        return new Builder<>(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
                .withCachingDisabled());
    }

    private boolean ownThread() {
        return Thread.currentThread() == owner;
    }

    /**
     * Writes every unwritten key to the store beneath, in one batch; they are forgotten only once written. The changelog
     * records carry the timestamp of the record or punctuation that triggered the write-back, not of the one that put
     * the value: the changelogs are compacted by key, and nothing reads their timestamps.
     */
    private void writeBack() {
        if (unwritten.isEmpty()) {
            return;
        }
        List<KeyValue<String, V>> batch = new ArrayList<>(unwritten.size());
        unwritten.forEach((key, value) -> batch.add(KeyValue.pair(key, value)));
        committed.putAll(batch);
        unwritten.clear();
    }

    @Override
    public void flushCache() {
        writeBack();
    }

    @Override
    public void clearCache() {
        unwritten.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
        return false; // the processors forward what they compute themselves; nothing is forwarded on a flush
    }

    @Override
    public V get(String key) {
        if (ownThread()) {
            V value = unwritten.get(key);
            if (value != null || unwritten.containsKey(key)) {
                return value;
            }
        }
        return committed.get(key);
    }

    @Override
    public void put(String key, V value) {
        owner = Thread.currentThread();
        unwritten.put(key, value);
        if (unwritten.size() > MAX_UNWRITTEN) {
            writeBack();
        }
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(String key) {
        V current = get(key);
        put(key, null);
        return current;
    }

    // A scan by the stream thread writes back first, so the store beneath is whole. Range scans are rare (a
    // publication, a restart); prefix scans come with every run's first look at a stage or an element, nearly always
    // under a prefix nothing is unwritten under, so those write back only when something is.

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        if (ownThread()) {
            writeBack();
        }
        return committed.range(from, to);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        if (ownThread()) {
            writeBack();
        }
        return committed.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        if (ownThread()) {
            writeBack();
        }
        return committed.all();
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        if (ownThread()) {
            writeBack();
        }
        return committed.reverseAll();
    }

    @Override
    public <S extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, S prefixKeySerializer) {
        if (ownThread() && hasUnwrittenUnder(prefix)) {
            writeBack();
        }
        return committed.prefixScan(prefix, prefixKeySerializer);
    }

    /** Whether an unwritten key starts with {@code prefix}: a String prefix of the String keys; anything else, any key. */
    private boolean hasUnwrittenUnder(Object prefix) {
        if (!(prefix instanceof String start)) {
            return !unwritten.isEmpty();
        }
        String first = unwritten.ceilingKey(start);
        return first != null && first.startsWith(start);
    }

    @Override
    public long approximateNumEntries() {
        return committed.approximateNumEntries();
    }

    @Override
    public String name() {
        return committed.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        committed.init(context, root);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        writeBackLate();
        committed.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeBackLate();
        committed.commit(changelogOffsets);
    }

    /**
     * Streams flushes stores after its commit: by then {@link #flushCache()} has written everything back. Anything
     * still unwritten means the hook was not called before the commit, so these writes go out with the next
     * transaction, not the one that committed their input: loud, because exactly-once then no longer holds.
     */
    private void writeBackLate() {
        if (!unwritten.isEmpty()) {
            lateWriteBacks++;
            LOG.error("store {}: Kafka Streams committed before {} keys were written back (CachedStateStore#flushCache was"
                    + " not called); exactly-once does not hold with this Kafka Streams version", name(), unwritten.size());
            writeBack();
        }
    }

    /** How many times a flush after a commit found keys not written back (0 unless the hook is missing). */
    int lateWriteBacks() {
        return lateWriteBacks;
    }

    @Override
    public boolean managesOffsets() {
        return committed.managesOffsets();
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return committed.committedOffset(partition);
    }

    @Override
    public void close() {
        unwritten.clear(); // a clean close wrote back at its commit; after a dirty one the state is wiped and restored
        committed.close();
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return committed.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return committed.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return committed.getPosition();
    }

    /** Builds the store beneath with logging as configured; the write-back replaces Streams' record cache. */
    private record Builder<V>(StoreBuilder<KeyValueStore<String, V>> beneath) implements StoreBuilder<WriteBackStore<V>> {

        @Override
        public StoreBuilder<WriteBackStore<V>> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<WriteBackStore<V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<WriteBackStore<V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(beneath.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<WriteBackStore<V>> withLoggingDisabled() {
            return new Builder<>(beneath.withLoggingDisabled());
        }

        @Override
        public WriteBackStore<V> build() {
            return new WriteBackStore<>(beneath.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return beneath.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return beneath.loggingEnabled();
        }

        @Override
        public String name() {
            return beneath.name();
        }
    }
}
