package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.topics.RecordKeys;
import java.util.Objects;

/**
 * One model run of a campaign, and the family it belongs to.
 *
 * @param campaign the continual fine-tuning campaign
 * @param family   the model family, FAMILY records average over the family's runs within one campaign
 * @param model    the model run, unique within the campaign
 */
public record RunKey(String campaign, String family, String model) {

    public RunKey {
        Objects.requireNonNull(campaign, "campaign");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(model, "model");
    }

    /** {@code campaign/model}: the key of the run's state in the aggregator and of its query URL. */
    public String id() {
        return id(campaign, model);
    }

    public static String id(String campaign, String model) {
        return RecordKeys.modelRun(campaign, model);
    }
}
