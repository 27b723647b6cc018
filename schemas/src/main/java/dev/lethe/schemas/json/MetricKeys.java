package dev.lethe.schemas.json;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;

/**
 * The identity of a record on lethe.forgetting and lethe.alerts, for "last record per key wins" readers
 * (sinks, the demo, tests): the aggregator re-emits a record whenever its inputs change, and the newest
 * record for a key replaces the older ones (compacted-topic semantics).
 *
 * <p>A ForgettingMetric is identified by campaign, family, model (null at FAMILY scope), stage, scope,
 * category (null at MODEL scope) and benchmark (ELEMENT scope only); a KnowledgeLossAlert by its alertId.
 * The Kafka record key (the family) is only the partitioning key, not the identity.
 */
public final class MetricKeys {

    private static final String SEPARATOR = "|";

    private MetricKeys() {
    }

    /** {@code campaign|family|model|stage|scope|category|benchmark}, empty for null parts. */
    public static String of(ForgettingMetric metric) {
        return String.join(SEPARATOR,
                metric.getCampaign(),
                metric.getFamily(),
                orEmpty(metric.getModel()),
                Integer.toString(metric.getStage()),
                metric.getScope().name(),
                orEmpty(metric.getCategory()),
                orEmpty(metric.getBenchmark()));
    }

    /** The alert's deterministic alertId. */
    public static String of(KnowledgeLossAlert alert) {
        return alert.getAlertId();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
