package dev.lethe.aggregator.topology;

import dev.lethe.schemas.ForgettingMetric;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the member runs' CATEGORY records per family, campaign, category and stage (store
 * {@value AggregatorTopology#FAMILY_STORE}, key family NUL campaign NUL category NUL stage, partitioned by family)
 * and forwards the FAMILY record of every (category, stage) a run changes.
 *
 * <p>One value per (category, stage) rather than per (family, campaign): a FAMILY record needs only the members
 * of its own slice, and a value holding the whole campaign made every update read, rewrite and changelog a value
 * that grows with runs × stages × categories (74 % of the Streams thread's CPU in the bench profile).
 */
final class FamilyAggregator implements Processor<String, ForgettingMetric, String, ForgettingMetric> {

    private ProcessorContext<String, ForgettingMetric> context;
    private KeyValueStore<String, FamilyState> store;

    @Override
    public void init(ProcessorContext<String, ForgettingMetric> context) {
        this.context = context;
        this.store = context.getStateStore(AggregatorTopology.FAMILY_STORE);
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
        ForgettingMetric family = state.update(categoryRecord);
        store.put(key, state);
        if (family != null) {
            context.forward(new Record<>(family.getFamily(), family, record.timestamp()));
        }
    }

    /**
     * {@code family NUL campaign NUL category NUL stage}: all slices of a family sit together and a prefix scan on
     * {@code family NUL} finds them ({@link FamilyState#mergeByCampaign} puts a campaign back together).
     */
    static String storeKey(String family, String campaign, String category, int stage) {
        return family + "\u0000" + campaign + "\u0000" + category + "\u0000" + String.format("%010d", stage);
    }
}
