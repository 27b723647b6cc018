package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.Comparator;

/** The documented output order of {@code lethe metrics}: family, model, stage, scope, category, benchmark. */
public final class MetricOrder {

    /**
     * Family, model (FAMILY records, with no model, after the family's runs), stage, scope
     * (ELEMENT, CATEGORY, MODEL, FAMILY), category, benchmark, then campaign to break ties.
     */
    public static final Comparator<ForgettingMetric> METRICS = Comparator
            .comparing(ForgettingMetric::getFamily)
            .thenComparing(ForgettingMetric::getModel, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparingInt(ForgettingMetric::getStage)
            .thenComparing(ForgettingMetric::getScope)
            .thenComparing(ForgettingMetric::getCategory, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ForgettingMetric::getBenchmark, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ForgettingMetric::getCampaign);

    /** Family, model, stage, rule, category, benchmark, then campaign. */
    public static final Comparator<KnowledgeLossAlert> ALERTS = Comparator
            .comparing(KnowledgeLossAlert::getFamily)
            .thenComparing(KnowledgeLossAlert::getModel)
            .thenComparingInt(KnowledgeLossAlert::getStage)
            .thenComparing(KnowledgeLossAlert::getRule)
            .thenComparing(KnowledgeLossAlert::getCategory, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(KnowledgeLossAlert::getBenchmark, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(KnowledgeLossAlert::getCampaign);

    private MetricOrder() {
    }
}
