package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.util.Comparator;

/**
 * What identifies one {@link ForgettingMetric}: a newer record with the same key replaces the older one
 * (compacted-topic semantics), which is how every sink keeps "the latest record per key".
 */
public record MetricKey(String campaign, String family, String model, int stage, MetricScope scope, String category,
                        String benchmark) {

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<String> NULLS_LAST = Comparator.nullsLast(Comparator.naturalOrder());

    /**
     * The order of {@code metrics.jsonl}, the same as {@code lethe metrics} (aggregator's MetricOrder): family, model
     * (FAMILY records, with no model, after the family's runs), stage, scope (ELEMENT, CATEGORY, MODEL, FAMILY),
     * category, benchmark, then campaign.
     */
    public static final Comparator<MetricKey> ORDER = Comparator.comparing(MetricKey::family, NULLS_FIRST)
            .thenComparing(MetricKey::model, NULLS_LAST)
            .thenComparingInt(MetricKey::stage)
            .thenComparing(MetricKey::scope, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(MetricKey::category, NULLS_FIRST)
            .thenComparing(MetricKey::benchmark, NULLS_FIRST)
            .thenComparing(MetricKey::campaign, NULLS_FIRST);

    /** The order of {@code alerts.jsonl}, as {@code lethe metrics --alerts}: family, model, stage, rule, category, benchmark, campaign. */
    public static final Comparator<KnowledgeLossAlert> ALERT_ORDER = Comparator
            .comparing((KnowledgeLossAlert a) -> a.getFamily(), NULLS_FIRST)
            .thenComparing(a -> a.getModel(), NULLS_FIRST)
            .thenComparingInt(KnowledgeLossAlert::getStage)
            .thenComparing(KnowledgeLossAlert::getRule, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(a -> a.getCategory(), NULLS_FIRST)
            .thenComparing(a -> a.getBenchmark(), NULLS_FIRST)
            .thenComparing(a -> a.getCampaign(), NULLS_FIRST)
            .thenComparing(a -> a.getAlertId(), NULLS_FIRST);

    public static MetricKey of(ForgettingMetric m) {
        return new MetricKey(m.getCampaign(), m.getFamily(), m.getModel(), m.getStage(), m.getScope(), m.getCategory(),
                m.getBenchmark());
    }
}
