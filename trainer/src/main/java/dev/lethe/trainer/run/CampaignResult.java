package dev.lethe.trainer.run;

import java.util.List;

/**
 * The outcome of one {@link CampaignRunner#run}: every stage of every model run, in training order.
 *
 * @param campaign    campaign name
 * @param stages      one entry per (model, stage), stage 0 included
 * @param totalMillis wall time of the whole run
 */
public record CampaignResult(String campaign, List<StageResult> stages, long totalMillis) {

    public CampaignResult {
        stages = List.copyOf(stages);
    }

    /** How many events this run delivered. */
    public long publishedCount() {
        return stages.stream().filter(StageResult::published).count();
    }

    /** How many stages were trained (not resumed from disk). */
    public long trainedCount() {
        return stages.stream().filter(s -> !s.resumed()).count();
    }
}
