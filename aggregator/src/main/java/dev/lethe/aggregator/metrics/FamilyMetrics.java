package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes FAMILY records: per campaign, family, category and stage, the mean over the family's model runs
 * of the runs' CATEGORY {@code fgPct}, {@code finalDropPct} and {@code maxForgettingPp}.
 *
 * <p>A run contributes when its CATEGORY record has a defined {@code finalDropPct} (a baseline and a score);
 * {@code updatedAt} is the newest {@code updatedAt} of the run records given.
 */
public final class FamilyMetrics {

    private FamilyMetrics() {
    }

    /**
     * The FAMILY record for one (category, stage) from the member runs' CATEGORY records at that
     * category and stage (at most one per run); null when no run contributes.
     */
    public static ForgettingMetric compute(String campaign, String family, String category, int stage,
                                           Collection<ForgettingMetric> runCategoryRecords) {
        List<ForgettingMetric> contributing = new ArrayList<>();
        Instant updatedAt = null;
        for (ForgettingMetric record : runCategoryRecords) {
            if (record.getScope() != MetricScope.CATEGORY || record.getStage() != stage
                    || !category.equals(record.getCategory())) {
                throw new IllegalArgumentException("not a CATEGORY record of " + category + " at stage " + stage + ": " + record);
            }
            updatedAt = RunMetrics.max(updatedAt, record.getUpdatedAt());
            if (record.getFinalDropPct() != null) {
                contributing.add(record);
            }
        }
        if (contributing.isEmpty()) {
            return null;
        }
        return ForgettingMetric.newBuilder()
                .setCampaign(campaign)
                .setFamily(family)
                .setModel(null)
                .setStage(stage)
                .setTask(null)
                .setScope(MetricScope.FAMILY)
                .setCategory(category)
                .setBenchmark(null)
                .setFgPct(RunMetrics.mean(contributing, ForgettingMetric::getFgPct))
                .setFinalDropPct(RunMetrics.mean(contributing, ForgettingMetric::getFinalDropPct))
                .setMaxForgettingPp(RunMetrics.mean(contributing, ForgettingMetric::getMaxForgettingPp))
                .setChancePct(RunMetrics.mean(contributing, ForgettingMetric::getChancePct))
                .setChanceNormalisedFgPct(RunMetrics.mean(contributing, ForgettingMetric::getChanceNormalisedFgPct))
                .setModels(contributing.size())
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** Every FAMILY record derivable from a set of run records (any scopes, any runs), in key order. */
    public static List<ForgettingMetric> computeAll(Collection<ForgettingMetric> runRecords) {
        record GroupKey(String campaign, String family, String category, int stage) implements Comparable<GroupKey> {
            @Override
            public int compareTo(GroupKey o) {
                int c = family.compareTo(o.family);
                if (c == 0) c = campaign.compareTo(o.campaign);
                if (c == 0) c = Integer.compare(stage, o.stage);
                if (c == 0) c = category.compareTo(o.category);
                return c;
            }
        }
        Map<GroupKey, List<ForgettingMetric>> groups = new TreeMap<>();
        for (ForgettingMetric record : runRecords) {
            if (record.getScope() == MetricScope.CATEGORY) {
                groups.computeIfAbsent(new GroupKey(record.getCampaign(), record.getFamily(), record.getCategory(),
                        record.getStage()), k -> new ArrayList<>()).add(record);
            }
        }
        List<ForgettingMetric> out = new ArrayList<>();
        groups.forEach((key, records) -> {
            ForgettingMetric family = compute(key.campaign(), key.family(), key.category(), key.stage(), records);
            if (family != null) {
                out.add(family);
            }
        });
        return out;
    }
}
