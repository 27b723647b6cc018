package dev.lethe.aggregator.topology;

import dev.lethe.schemas.ForgettingMetric;
import java.time.Duration;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the member runs' CATEGORY records per family, campaign, category and stage (store
 * {@value AggregatorTopology#FAMILY_STORE}, key family NUL campaign NUL category NUL stage, partitioned by family)
 * and publishes the FAMILY record of every (category, stage) whose mean changed, once per publishing interval (the
 * commit interval) rather than once per member update: a family of four runs moves each mean up to four times as
 * its members' records arrive, and publishing each move made FAMILY records the largest source of records emitted
 * and later superseded (BENCHMARKS.md, output amplification).
 *
 * <p>Which values wait to be published is known from the store alone: a value whose FAMILY record differs from the
 * one it last published. The processor keeps their keys in memory and, at its first publication after {@code
 * init()}, finds them again by scanning its store, so a crash or a moved task between an update and its publication
 * loses nothing.
 *
 * <p>One value per (category, stage) rather than per (family, campaign): a FAMILY record needs only the members
 * of its own slice, and a value holding the whole campaign made every update read, rewrite and changelog a value
 * that grows with runs × stages × categories (74 % of the Streams thread's CPU in the bench profile).
 */
final class FamilyAggregator implements Processor<String, ForgettingMetric, String, ForgettingMetric> {

    private final Duration publishEvery;
    private final TreeSet<String> waiting = new TreeSet<>();
    private boolean scanned;
    private ProcessorContext<String, ForgettingMetric> context;
    private KeyValueStore<String, FamilyState> store;

    FamilyAggregator(Duration publishEvery) {
        this.publishEvery = publishEvery;
    }

    @Override
    public void init(ProcessorContext<String, ForgettingMetric> context) {
        this.context = context;
        this.store = context.getStateStore(AggregatorTopology.FAMILY_STORE);
        this.scanned = false;
        context.schedule(publishEvery, PunctuationType.WALL_CLOCK_TIME, this::publishWaiting);
    }

    @Override
    public void process(Record<String, ForgettingMetric> record) {
        ForgettingMetric categoryRecord = record.value();
        if (categoryRecord == null) {
            return;
        }
        String key = storeKey(categoryRecord.getFamily(), categoryRecord.getCampaign(), categoryRecord.getCategory(),
                categoryRecord.getStage());
        FamilyState state = store.get(key);
        if (state == null) {
            state = FamilyState.empty(categoryRecord.getCampaign(), categoryRecord.getFamily());
        }
        state.add(categoryRecord);
        store.put(key, state);
        waiting.add(key);
    }

    /** Publishes the FAMILY record of every waiting value whose mean differs from what it last published. */
    private void publishWaiting(long wallClockMs) {
        if (!scanned) { // once per init, at the first publication: the store is restored by then
            try (KeyValueIterator<String, FamilyState> all = store.all()) {
                all.forEachRemaining(kv -> {
                    if (kv.value.unpublished() != null) {
                        waiting.add(kv.key);
                    }
                });
            }
            scanned = true;
        }
        for (String key : waiting) {
            FamilyState state = store.get(key);
            ForgettingMetric family = state == null ? null : state.unpublished();
            if (family != null) {
                state.markPublished(family);
                store.put(key, state);
                context.forward(new Record<>(family.getFamily(), family, wallClockMs));
            }
        }
        waiting.clear();
    }

    @Override
    public void close() {
        waiting.clear(); // what is still waiting is found again in the store by the next init()
    }

    /**
     * {@code family NUL campaign NUL category NUL stage}: all slices of a family sit together and a prefix scan on
     * {@code family NUL} finds them ({@link FamilyState#mergeByCampaign} puts a campaign back together).
     */
    static String storeKey(String family, String campaign, String category, int stage) {
        return family + "\u0000" + campaign + "\u0000" + category + "\u0000" + StageKeys.padded(stage);
    }
}
