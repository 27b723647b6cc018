package dev.lethe.aggregator.topology;

import dev.lethe.schemas.ForgettingMetric;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the member runs' CATEGORY records per family and campaign (store {@value AggregatorTopology#FAMILY_STORE},
 * key family NUL campaign, partitioned by family) and forwards the FAMILY record of every (category, stage) a run
 * changes.
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
        String key = storeKey(categoryRecord.getFamily(), categoryRecord.getCampaign());
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

    /** {@code family NUL campaign}: all campaigns of a family sit together and a prefix scan finds them. */
    static String storeKey(String family, String campaign) {
        return family + "\u0000" + campaign;
    }
}
